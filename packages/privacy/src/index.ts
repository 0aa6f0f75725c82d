// Personal data: pseudonymous subjects, data keys (crypto-shredding), erasure, subject access, retention.
export * from './subject.js'
export * from './port.js'
export * from './scan.js'
export * from './audit/index.js'
