// The shared Identity shape (issue 13): defined with the certificate rules in identity.ts; this
// name is kept for the token and guard code that imported it first.
export { describeIdentity, type Access, type Identity } from './identity.js';
