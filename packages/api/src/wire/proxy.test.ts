// The proxy a wire call takes, by grpc-js's rules (its http_proxy.ts); cli-proxy.test.ts runs them
// against a real proxy and scheduler.
import { describe, expect, it } from '@jest/globals';
import { proxyFor } from './proxy.js';

describe('proxyFor', () => {
  it.each([
    ['no proxy variable', {}, undefined],
    ['grpc_proxy first', { grpc_proxy: 'http://g:1', https_proxy: 'http://s:2', http_proxy: 'http://h:3' }, 'g:1'],
    ['then https_proxy', { https_proxy: 'http://s:2', http_proxy: 'http://h:3' }, 's:2'],
    ['then http_proxy', { http_proxy: 'http://h:3' }, 'h:3'],
    ['port 80 when the URL has none', { https_proxy: 'http://proxy.example' }, 'proxy.example:80'],
    ['not an http: URL (grpc-js dials directly)', { https_proxy: 'https://s:2' }, undefined],
    ['not a URL', { https_proxy: 'proxy:3128' }, undefined],
    ['no_proxy CIDR', { https_proxy: 'http://s:2', no_proxy: '10.0.0.0/8' }, undefined],
    ['no_proxy suffix', { https_proxy: 'http://s:2', no_proxy: 'example.com,.0.0.7' }, undefined],
    ['no_grpc_proxy over no_proxy', { https_proxy: 'http://s:2', no_grpc_proxy: 'other', no_proxy: '10.0.0.7' }, 's:2'],
    ['no_proxy not matching', { https_proxy: 'http://s:2', no_proxy: '192.168.0.0/16,example.com' }, 's:2'],
  ] as const)('%s', (_, env, address) => {
    expect(proxyFor('10.0.0.7:7600', env)?.address).toBe(address);
  });

  it('sends user and password decoded, or the user alone', () => {
    expect(proxyFor('h:1', { https_proxy: 'http://a%40b:c%3Ad@p:8' })).toEqual({ address: 'p:8', creds: 'a@b:c:d' });
    expect(proxyFor('h:1', { https_proxy: 'http://alice@p:8' })).toEqual({ address: 'p:8', creds: 'alice' });
  });

  it('reads the host of a bracketed IPv6 target', () => {
    expect(proxyFor('[::1]:7600', { https_proxy: 'http://p:8', no_proxy: '::1' })).toBeUndefined();
  });
});
