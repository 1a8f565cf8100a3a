import { afterAll, describe, expect, it } from '@jest/globals';
import { linkSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OUTPUT_MAX_BYTES, parseOutputs, readOutputs } from './outputs.js';

const dir = mkdtempSync(join(tmpdir(), `mo-outputs-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('step outputs', () => {
  it('parses key=value lines, skipping comments and counting what it ignores', () => {
    expect(parseOutputs('a=1\n# note\n\nnot a pair\nb=x=y\r\n')).toEqual({
      outputs: Object.assign(Object.create(null) as object, { a: '1', b: 'x=y' }),
      ignored: 1,
    });
  });

  it("reads a file of the workload's user, and neither someone else's file nor a symlink", () => {
    const file = join(dir, 'output');
    writeFileSync(file, 'k=v\n');
    const mine = process.getuid?.() ?? 0;
    expect(readOutputs(file, mine)).toMatchObject({ outputs: { k: 'v' }, ignored: 0 });
    // Owned by this test's user: for a workload of another uid it is not read (a hard link to a
    // file the agent could read and the workload could not must stay unread).
    const linked = join(dir, 'linked');
    linkSync(file, linked);
    expect(readOutputs(linked, mine + 1)).toEqual({ outputs: {}, ignored: 1 });
    const link = join(dir, 'symlink');
    symlinkSync(file, link);
    expect(readOutputs(link)).toEqual({ outputs: {}, ignored: 1 });
    expect(readOutputs(join(dir, 'missing'))).toEqual({ outputs: {}, ignored: 0 });
  });

  it('reads an empty file as no outputs, a whole file up to the cap, and drops the cut-off line past it', () => {
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    expect(readOutputs(empty)).toEqual({ outputs: {}, ignored: 0 });
    const exact = join(dir, 'exact');
    const line = 'k=' + 'x'.repeat(OUTPUT_MAX_BYTES - 3) + '\n'; // exactly the cap
    writeFileSync(exact, line);
    expect(readOutputs(exact).ignored).toBe(0);
    expect(readOutputs(exact).outputs.k).toHaveLength(OUTPUT_MAX_BYTES - 3);
    const over = join(dir, 'over');
    writeFileSync(over, 'a=1\n' + 'b=' + 'y'.repeat(OUTPUT_MAX_BYTES));
    expect(readOutputs(over)).toEqual({
      outputs: Object.assign(Object.create(null) as object, { a: '1' }),
      ignored: 1,
    });
  });
});
