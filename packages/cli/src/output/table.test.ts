import { describe, expect, it } from '@jest/globals';
import { renderFields, renderTable } from './table.js';

describe('renderTable', () => {
  it('pads each column to its widest cell and right-aligns numeric columns', () => {
    const text = renderTable(
      [{ header: 'NAME' }, { header: 'PID', align: 'right' }, { header: 'COMMAND' }],
      [
        ['web', '42', 'python3 -m http.server'],
        ['a-longer-name', '31337', 'sleep 1'],
      ],
    );
    expect(text).toBe(
      [
        'NAME             PID  COMMAND',
        'web               42  python3 -m http.server',
        'a-longer-name  31337  sleep 1',
        '',
      ].join('\n'),
    );
  });

  it('leaves no trailing spaces when the last column is short or empty', () => {
    const text = renderTable([{ header: 'A' }, { header: 'LONG HEADER' }], [['x', '']]);
    expect(text.split('\n').every((line) => !line.endsWith(' '))).toBe(true);
  });

  it('renders only the header for no rows', () => {
    expect(renderTable([{ header: 'ID' }, { header: 'STATE' }], [])).toBe('ID  STATE\n');
  });

  it('counts a multi-byte character as one column', () => {
    expect(renderTable([{ header: 'N' }, { header: 'X' }], [['é…', '1']])).toBe('N   X\né…  1\n');
  });
});

describe('renderFields', () => {
  it('aligns values after the longest key', () => {
    expect(
      renderFields([
        ['id', '01J'],
        ['state', 'running'],
      ]),
    ).toBe('id     01J\nstate  running\n');
  });
});
