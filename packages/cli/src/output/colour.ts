// Colour for states (running green, failed red, ...) on a terminal, and none anywhere else: piped
// output is read by programs and greps. Plain ANSI codes, no dependency. Whether to colour is
// decided once per command (configureColour) from the stream and the environment
// (https://no-color.org: NO_COLOR set and not empty turns it off; FORCE_COLOR turns it on).

/** Decides whether output to a stream gets colour. Pure: the caller passes what it knows. */
export function colourWanted(isTTY: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  return isTTY === true && env.TERM !== 'dumb';
}

/** Whether a stream is a terminal (process.stdout on one; test streams are not). */
export function isTTY(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

let enabled = false;

/** Turns colour on or off for what the renderers produce from now on (off until told). */
export function configureColour(on: boolean): void {
  enabled = on;
}

const CODES = { green: 32, red: 31, yellow: 33, blue: 34, dim: 2 } as const;
type Hue = keyof typeof CODES;

// Workload and node states (`running`, `up`, ...) by what they mean to an operator.
const HUES: Record<string, Hue> = {
  running: 'green',
  succeeded: 'green',
  up: 'green',
  failed: 'red',
  lost: 'red',
  down: 'red',
  pending: 'yellow',
  starting: 'yellow',
  unknown: 'yellow',
  draining: 'yellow',
  stopped: 'dim',
};

/** `text` in the colour of `state` (a state name such as "running"), when colour is on. */
export function paintState(text: string, state: string = text): string {
  const hue = HUES[state];
  return enabled && hue ? `\x1b[${CODES[hue]}m${text}\x1b[0m` : text;
}

/** Text without ANSI colour codes (for widths). */
export function stripColour(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[\d+(?:;\d+)*m/g, '');
}
