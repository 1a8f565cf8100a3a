// EtcdOptions defaults and validation, and the --store flag's URL: pure, no etcd.
import { describe, expect, it } from '@jest/globals';
import { ETCD_DEFAULTS, parseStoreUrl, resolveEtcdOptions, type EtcdOptions } from './options.js';

describe('parseStoreUrl', () => {
  it.each([
    ['sqlite', { kind: 'sqlite' }],
    ['etcd://127.0.0.1:2379', { kind: 'etcd', endpoints: ['http://127.0.0.1:2379'], prefix: '/mo/' }],
    [
      'etcd://h1:2379,h2.example.com:22379,[::1]:2379/prod/mo',
      {
        kind: 'etcd',
        endpoints: ['http://h1:2379', 'http://h2.example.com:22379', 'http://[::1]:2379'],
        prefix: '/prod/mo/',
      },
    ],
    ['etcd://h1:2379/a/', { kind: 'etcd', endpoints: ['http://h1:2379'], prefix: '/a/' }],
  ])('reads %s', (url, expected) => {
    expect(parseStoreUrl(url)).toEqual(expected);
  });

  it.each([
    ['postgres://x', /neither 'sqlite' nor etcd:\/\//],
    ['etcd://', /member "" that is not host:port/],
    ['etcd://h1', /member "h1" that is not host:port/],
    ['etcd://h1:2379,', /member "" that is not host:port/],
    ['etcd://h1:99999', /member "h1:99999"/],
    ['etcd://h1:2379/', /empty key prefix/],
    ['etcd://h1:2379/a//b', /empty segment/],
  ])('refuses %s, naming the flag', (url, message) => {
    expect(() => parseStoreUrl(url)).toThrow(/^--store: /);
    expect(() => parseStoreUrl(url)).toThrow(message);
  });
});

describe('resolveEtcdOptions', () => {
  const base: EtcdOptions = { endpoints: ['http://127.0.0.1:2379'] };

  it('fills the defaults: /mo/, a 5 s lease, a 5 s deadline, etcd’s own txn limits', () => {
    expect(resolveEtcdOptions(base)).toEqual({
      endpoints: base.endpoints,
      prefix: '/mo/',
      leaseTtlMs: 5000,
      tls: undefined,
      logger: undefined,
      requestTimeoutMs: 5000,
      maxTxnOps: 128,
      maxRequestBytes: 1.5 * 1024 * 1024,
    });
    expect(ETCD_DEFAULTS.leaseTtlMs).toBe(5000);
  });

  it.each<[string, Partial<EtcdOptions>, RegExp]>([
    ['no endpoints', { endpoints: [] }, /EtcdOptions.endpoints: give at least one/],
    [
      'an endpoint without a scheme',
      { endpoints: ['127.0.0.1:2379'] },
      /"127.0.0.1:2379" is not http\(s\):\/\/host:port/,
    ],
    ['mixed schemes', { endpoints: ['http://a:1', 'https://b:1'] }, /mixes http and https/],
    ['a prefix without slashes', { prefix: 'mo' }, /EtcdOptions.prefix: "mo" must start and end with '\/'/],
    ['a lease under 2 s', { leaseTtlMs: 1500 }, /EtcdOptions.leaseTtlMs: 1500 is below 2000 ms/],
    ['a zero deadline', { requestTimeoutMs: 0 }, /EtcdOptions.requestTimeoutMs: 0 is not a positive integer/],
    ['fractional txn ops', { maxTxnOps: 1.5 }, /EtcdOptions.maxTxnOps/],
    [
      'a TLS pair without a key',
      { tls: { caFile: 'ca', certFile: 'c', keyFile: '' } },
      /EtcdOptions.tls.keyFile: give a file path/,
    ],
  ])('refuses %s, naming the field', (_, patch, message) => {
    expect(() => resolveEtcdOptions({ ...base, ...patch })).toThrow(message);
  });
});
