// The floor under any TLS client of the scheduler in Node: start, load node:http2, open one mutual
// TLS HTTP/2 connection with the CLI's credentials (MO_CA_CERT, MO_CLIENT_CERT, MO_CLIENT_KEY) to
// the address in argv[2], close it. No call, no mo code. CommonJS, as the cheapest way Node loads.
const { connect } = require('node:http2');
const { readFileSync } = require('node:fs');
const env = process.env;
const session = connect(`https://${process.argv[2]}`, {
  ca: readFileSync(env.MO_CA_CERT),
  cert: readFileSync(env.MO_CLIENT_CERT),
  key: readFileSync(env.MO_CLIENT_KEY),
  checkServerIdentity: () => undefined,
});
session.on('connect', () => session.close());
session.on('error', (err) => {
  console.error(err.message);
  process.exitCode = 1;
});
