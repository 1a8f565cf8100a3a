import { describe, expect, it } from '@jest/globals';
import { peerHost } from './peer.js';

describe('peerHost', () => {
  it.each([
    ['10.0.0.2:51234', '10.0.0.2'],
    ['::ffff:127.0.0.1:51234', '127.0.0.1'],
    ['[::1]:51234', '::1'],
    ['::1:51234', '::1'],
    ['unix:/run/mo.sock', 'unix:/run/mo.sock'],
    ['', ''],
  ])('%j comes from %j', (peer, host) => {
    expect(peerHost(peer)).toBe(host);
  });
});
