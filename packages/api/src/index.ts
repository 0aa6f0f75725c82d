// The API contract: request and response codecs of every route, and the route table the OpenAPI document,
// the services, the CLI and the tests share. A shape is written once, here.
export * from './route.js'
export * from './annotate.js'
export * from './params.js'
export * from './problem.js'
export * from './views.js'
export * from './analytics.js'
export * from './dashboard.js'
