// A dependency-free table formatter: a header row and padded columns, like `docker ps`.
import { stripColour } from './colour.js';

export type Align = 'left' | 'right';

export interface Column {
  readonly header: string;
  /** Numbers read best right-aligned; default left. */
  readonly align?: Align;
}

/** Two spaces between columns: wide enough to read, narrow enough for 80 columns. */
const GAP = '  ';

/**
 * Renders rows under their headers, each column as wide as its widest cell. Lines carry no
 * trailing spaces (so output diffs and greps cleanly) and end with a newline.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((col, i) => Math.max(width(col.header), ...rows.map((row) => width(row[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    columns
      .map((col, i) => pad(cells[i] ?? '', widths[i] ?? 0, col.align ?? 'left'))
      .join(GAP)
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)].map((l) => `${l}\n`).join('');
}

/**
 * Key/value lines (`name   web`), keys padded to the longest; for single-object views such as
 * `mo status ID` and the node header of `mo status`.
 */
export function renderFields(fields: readonly (readonly [string, string])[]): string {
  const keyWidth = Math.max(0, ...fields.map(([k]) => width(k)));
  return fields.map(([k, v]) => `${pad(k, keyWidth, 'left')}${GAP}${v}`.trimEnd() + '\n').join('');
}

// Code points, not UTF-16 units, so `…` and accented names count as one column. (East Asian wide
// characters would still be off by one per character; not worth a dependency for now.) Colour
// codes take no columns.
function width(text: string): number {
  return [...stripColour(text)].length;
}

function pad(text: string, to: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, to - width(text)));
  return align === 'right' ? fill + text : text + fill;
}
