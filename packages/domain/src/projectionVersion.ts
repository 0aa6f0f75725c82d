// The projection's identity and code version. Bump the version whenever projectBatch or cellsOf changes
// what the views hold: on start, a projector whose live views were built by an older version rebuilds
// them beside the live ones and swaps when caught up (no downtime).
// v2: contact history entries carry the contact channel (LeadContacted v2).
// v3: lead rows carry analytics facts (normalised country, first time at each stage, disqualification reason).
export const leadsProjection = { name: 'leads', version: 3 } as const
