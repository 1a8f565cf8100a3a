// Node identity and registration settings: the id file, label parsing, the advertised address.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultAdvertiseAddress, loadOrCreateNodeId, parseNodeLabels } from './node-config.js';

describe('loadOrCreateNodeId', () => {
  it('creates a ULID on first use and returns the same one afterwards', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mo-node-id-'));
    const id = loadOrCreateNodeId(dir);
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(readFileSync(join(dir, 'node-id'), 'utf8').trim()).toBe(id);
    expect(loadOrCreateNodeId(dir)).toBe(id);
  });

  it('refuses a damaged id file instead of silently becoming a new node', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mo-node-id-'));
    writeFileSync(join(dir, 'node-id'), 'not an id\n');
    expect(() => loadOrCreateNodeId(dir)).toThrow(/node-id: expected a node id \(ULID\), got "not an id"/);
  });
});

describe('parseNodeLabels', () => {
  it('parses key=value items; values may contain "=" or be empty', () => {
    expect(parseNodeLabels(['zone=eu-1', 'example.com/tier=a=b', 'empty='], '--label')).toEqual({
      zone: 'eu-1',
      'example.com/tier': 'a=b',
      empty: '',
    });
  });

  it.each([
    ['novalue', /--label: expected key=value, got "novalue"/],
    ['=x', /--label: expected key=value/],
    ['-a=x', /--label: label key "-a" must match/],
    [`${'k'.repeat(64)}=x`, /--label: label key "k+" must match/],
    [`k=${'v'.repeat(257)}`, /--label: value of label "k" must be a string of at most 256 bytes/],
  ])('rejects %j naming the flag', (item, message) => {
    expect(() => parseNodeLabels([item], '--label')).toThrow(message);
  });

  it('rejects a key given twice', () => {
    expect(() => parseNodeLabels(['a=1', 'a=2'], '--label')).toThrow(/label "a" given twice/);
  });
});

describe('defaultAdvertiseAddress', () => {
  it.each([
    ['127.0.0.1:7610', '127.0.0.1:7610'],
    ['10.0.0.5:7610', '10.0.0.5:7610'],
    ['0.0.0.0:7610', '127.0.0.1:7610'],
    ['[::]:7610', '127.0.0.1:7610'],
    ['[::1]:7610', '[::1]:7610'],
  ])('advertises %s as %s', (bound, advertised) => {
    expect(defaultAdvertiseAddress(bound)).toBe(advertised);
  });
});
