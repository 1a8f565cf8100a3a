// Keeps a bundle's source one byte per character in V8. V8 holds a script's source for as long as
// the script lives (lazy compilation, Function.prototype.toString): as a one-byte string when every
// character fits Latin-1, else as a two-byte one. esbuild escapes non-ASCII characters in code
// (charset 'ascii', its default) but keeps the comments it keeps as written, so a single `→` in a
// comment doubled the scheduler's resident source (a 1.8 MB bundle held as 3.4 MiB).
//
// oneByteSource(file) rewrites each character above U+00FF on a comment line as `\u{...}` text
// (inert in a comment) and throws, naming the place, for one anywhere else: that would be esbuild
// leaving code unescaped, whose meaning a rewrite could change.
import { readFileSync, writeFileSync } from 'node:fs';

// Any character above U+00FF (the range starts at a control character, which this means). Tests
// use WIDE, replacements WIDE_ALL: a global regex's test() resumes from its last match.
// eslint-disable-next-line no-control-regex
const WIDE = /[^\u0000-\u00ff]/u;
const WIDE_ALL = new RegExp(WIDE.source, 'gu');

/** Rewrites `file` in place if needed; returns how many characters were rewritten. */
export function oneByteSource(file) {
  const text = readFileSync(file, 'utf8');
  if (!WIDE.test(text)) return 0;
  let rewritten = 0;
  const lines = text.split('\n').map((line, i) => {
    if (!WIDE.test(line)) return line;
    const t = line.trimStart();
    if (!(t.startsWith('//') || t.startsWith('/*') || t.startsWith('*'))) {
      const col = line.search(WIDE);
      throw new Error(
        `${file}:${i + 1}:${col + 1}: a character above U+00FF outside a comment: ${line.trim().slice(0, 120)}`,
      );
    }
    return line.replace(WIDE_ALL, (c) => {
      rewritten++;
      return `\\u{${c.codePointAt(0).toString(16)}}`;
    });
  });
  writeFileSync(file, lines.join('\n'));
  return rewritten;
}
