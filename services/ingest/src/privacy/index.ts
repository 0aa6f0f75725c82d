// Personal data operations: erasure, subject access, retention, and their routes.
export * from './erasure.js'
export * from './subjectAccess.js'
export * from './routes.js'
