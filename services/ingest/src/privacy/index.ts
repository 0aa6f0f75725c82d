// Personal data operations: erasure, subject access, retention, and their routes.
export * from './erasure.js'
export * from './subjectAccess.js'
export * from './routes.js'
export * from './scrub.js'
export * from './kafkaScrub.js'
export * from './retention.js'
export * from './ports.js'
