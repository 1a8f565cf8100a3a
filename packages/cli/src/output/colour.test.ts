import { afterEach, describe, expect, it } from '@jest/globals';
import { colourWanted, configureColour, paintState, stripColour } from './colour.js';
import { renderTable } from './table.js';

describe('colourWanted', () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [undefined, {}, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true], // no-color.org: only a non-empty NO_COLOR counts
    [true, { TERM: 'dumb' }, false],
    [false, { FORCE_COLOR: '1' }, true],
    [true, { FORCE_COLOR: '0' }, false],
    [false, { FORCE_COLOR: '1', NO_COLOR: '1' }, false],
  ])('on a TTY %j with %j: %j', (tty, env, want) => {
    expect(colourWanted(tty, env)).toBe(want);
  });
});

describe('paintState', () => {
  afterEach(() => configureColour(false));

  it('leaves text alone while colour is off', () => {
    expect(paintState('running')).toBe('running');
  });

  it.each([
    ['running', '\x1b[32mrunning\x1b[0m'],
    ['failed', '\x1b[31mfailed\x1b[0m'],
    ['pending', '\x1b[33mpending\x1b[0m'],
    ['weird', 'weird'],
  ])('paints %j as %j when on', (state, painted) => {
    configureColour(true);
    expect(paintState(state)).toBe(painted);
    expect(stripColour(paintState(state))).toBe(state);
  });

  it('keeps table columns aligned: colour codes take no width', () => {
    configureColour(true);
    const out = renderTable(
      [{ header: 'STATE' }, { header: 'X' }],
      [
        [paintState('up'), 'a'],
        ['starting', 'b'],
      ],
    );
    expect(stripColour(out)).toBe('STATE     X\nup        a\nstarting  b\n');
  });
});
