// The CLI's credentials: which flags and variables give TLS, a token or plaintext, and how a TLS
// failure is explained.
import { describe, expect, it } from '@jest/globals';
import { certRequest } from './commands/tls.js';
import { resolveSecurity } from './context.js';
import { tlsHint } from './failure.js';

describe('resolveSecurity', () => {
  it.each([
    [{}, { MO_CA_CERT: 'ca', MO_CLIENT_CERT: 'c', MO_CLIENT_KEY: 'k' }, { kind: 'tls', ca: 'ca', cert: 'c', key: 'k' }],
    [{ caCert: 'ca2' }, { MO_CA_CERT: 'ca', MO_TOKEN: 't' }, { kind: 'tls', ca: 'ca2', token: 't' }],
    [{ insecure: true }, { MO_CA_CERT: 'ca' }, { kind: 'insecure' }],
    [{}, { MO_INSECURE: '1' }, { kind: 'insecure' }],
    // TLS files beat MO_INSECURE: the secure choice wins a conflict of variables.
    [{}, { MO_INSECURE: '1', MO_CA_CERT: 'ca', MO_TOKEN: 't' }, { kind: 'tls', ca: 'ca', token: 't' }],
  ])('flags %j and env %j: %j', (raw, env, expected) => {
    expect(resolveSecurity(raw, env)).toEqual(expected);
  });

  it.each([
    [{}, {}, /^no credentials: give --ca-cert \(MO_CA_CERT\)/],
    [{}, { MO_CA_CERT: 'ca' }, /^--ca-cert: needs --client-cert and --client-key .* or --token/],
    [{ clientCert: 'c' }, { MO_CA_CERT: 'ca' }, /^--client-cert: needs --client-key \(MO_CLIENT_KEY\) too/],
    [{}, { MO_CA_CERT: 'ca', MO_CLIENT_KEY: 'k' }, /^--client-key: needs --client-cert \(MO_CLIENT_CERT\) too/],
  ])('flags %j and env %j: refused, naming the flag', (raw, env, message) => {
    expect(() => resolveSecurity(raw, env)).toThrow(message);
  });
});

describe('tlsHint', () => {
  it.each([
    ['self-signed certificate in certificate chain', /not signed by the CA in --ca-cert/],
    ['unable to get local issuer certificate', /not signed by the CA in --ca-cert/],
    ['certificate has expired', /the scheduler's certificate has expired/],
    ['server at x presented a certificate for agent:n1, expected the scheduler', /another role/],
    ['SSL alert number 116 tlsv13 alert certificate required', /refused this client's certificate \(--client-cert/],
    ['connect ECONNREFUSED 127.0.0.1:1', /^$/],
  ])('%s', (detail, hint) => {
    expect(tlsHint(detail)).toMatch(hint);
  });
});

describe('certRequest', () => {
  it('names files by role, node and name', () => {
    expect(certRequest({ role: 'agent', node: 'n1' })).toEqual({
      role: { kind: 'agent', node: 'n1' },
      base: 'agent-n1',
      sans: [],
    });
    expect(certRequest({ role: 'client', name: 'al', days: '30' })).toEqual({
      role: { kind: 'client', name: 'al', access: 'read' },
      base: 'client-al',
      sans: [],
      days: 30,
    });
    expect(certRequest({ role: 'scheduler', san: ['h'] }).base).toBe('scheduler');
  });

  it.each([
    [{}, /^--role: is required/],
    [{ role: 'agent' }, /^--node: is required/],
    [{ role: 'client' }, /^--name: is required/],
    [{ role: 'scheduler', node: 'x' }, /^--node: is for --role agent/],
    [{ role: 'agent', node: 'x', name: 'y' }, /^--name: is for --role client/],
    [{ role: 'client', name: 'x', san: ['h'] }, /^--san: is for --role scheduler/],
    [{ role: 'scheduler', days: 'x' }, /^--days:/],
  ])('%j refused', (flags, message) => {
    expect(() => certRequest(flags)).toThrow(message);
  });
});
