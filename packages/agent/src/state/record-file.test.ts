// Record rewrites: atomic (workload.json is always a whole record), and from the second save on no
// inode is made or freed (the old record becomes the next temp file).
import { afterEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRecord, writeRecordSync } from './record-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mo-record-'));
  dirs.push(d);
  return d;
}
const inode = (path: string) => statSync(path).ino;

describe.each([
  ['on the event loop', async (d: string, text: string) => writeRecordSync(d, text)],
  ['through the thread pool', writeRecord],
])('writing a record %s', (_, write) => {
  it('writes the first record, then rotates the same two inodes', async () => {
    const d = dir();
    await write(d, '{"n":1}');
    expect(readFileSync(join(d, 'workload.json'), 'utf8')).toBe('{"n":1}');
    expect(readdirSync(d)).toEqual(['workload.json']); // the temp file became the record
    await write(d, '{"n":2,"longer":true}');
    const pair = new Set([inode(join(d, 'workload.json')), inode(join(d, 'workload.json.tmp'))]);
    for (const text of ['{"n":3}', '{"n":4,"much":"longer than the one before it"}', '{}']) {
      await write(d, text);
      // The new record whole, cut to its length; the previous one kept as the next temp file.
      expect(readFileSync(join(d, 'workload.json'), 'utf8')).toBe(text);
      expect(new Set([inode(join(d, 'workload.json')), inode(join(d, 'workload.json.tmp'))])).toEqual(pair);
      expect(readdirSync(d).sort()).toEqual(['workload.json', 'workload.json.tmp']);
    }
    expect(statSync(join(d, 'workload.json')).mode & 0o777).toBe(0o600);
  });

  it('replaces what a crash left: a stale old record and a half-written temp file', async () => {
    const d = dir();
    writeFileSync(join(d, 'workload.json'), '{"n":1}');
    writeFileSync(join(d, 'workload.json.old'), '{"n":0}');
    writeFileSync(join(d, 'workload.json.tmp'), '{"n":2, torn and much longer than what replaces it');
    await write(d, '{"n":2}');
    expect(readFileSync(join(d, 'workload.json'), 'utf8')).toBe('{"n":2}');
    expect(readFileSync(join(d, 'workload.json.tmp'), 'utf8')).toBe('{"n":1}');
    expect(existsSync(join(d, 'workload.json.old'))).toBe(false);
  });

  it('fails on a directory that is gone (the workload was removed)', async () => {
    const d = dir();
    rmSync(d, { recursive: true });
    await expect(write(d, '{}')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
