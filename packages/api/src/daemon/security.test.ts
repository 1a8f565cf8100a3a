// The daemons' security flags: TLS files or an explicit --insecure, never neither.
import { describe, expect, it } from '@jest/globals';
import { checkSecurity, readSecurityFlags } from './security.js';

describe('readSecurityFlags', () => {
  it('takes the three files from flags, else the environment', () => {
    expect(readSecurityFlags({ 'tls-ca': 'a', 'tls-cert': 'b' }, { MO_TLS_KEY: 'c' })).toEqual({
      tls: { ca: 'a', cert: 'b', key: 'c' },
    });
    expect(readSecurityFlags({}, { MO_INSECURE: '1', MO_METRICS_OPEN: 'true' })).toEqual({
      insecure: true,
      metricsOpen: true,
    });
    expect(readSecurityFlags({}, { MO_INSECURE: '0' })).toEqual({});
  });

  it('names the files missing from a partial set', () => {
    expect(() => readSecurityFlags({ 'tls-ca': 'a' }, {})).toThrow(
      'TLS needs all three files: missing --tls-cert (MO_TLS_CERT), --tls-key (MO_TLS_KEY)',
    );
  });

  it('refuses TLS and --insecure at once', () => {
    expect(() => readSecurityFlags({ 'tls-ca': 'a', 'tls-cert': 'b', 'tls-key': 'c', insecure: true }, {})).toThrow(
      /choose one/,
    );
  });
});

describe('checkSecurity', () => {
  it('refuses neither, naming every flag', () => {
    expect(() => checkSecurity({}, 'mo-agent')).toThrow(
      /^mo-agent needs TLS: give --tls-ca, --tls-cert and --tls-key \(MO_TLS_CA, MO_TLS_CERT, MO_TLS_KEY; .*or --insecure \(MO_INSECURE=1\) for plaintext$/,
    );
    expect(() => checkSecurity({ insecure: true }, 'mo-agent')).not.toThrow();
  });
});
