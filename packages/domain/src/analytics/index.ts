// Analytics over the lead views: the facts of a lead, filters, time-zone buckets, series, funnel, top lists.
export * from './facts.js'
export * from './zone.js'
export * from './series.js'
export * from './funnel.js'
export * from './bucketLookup.js'
