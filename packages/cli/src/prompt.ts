// Asking the person at the terminal before doing something to many workloads at once.

/**
 * Whether to ask: only when more than one thing is affected, --yes was not given, and a person is
 * there to answer (stdin and stdout both terminals). Off a terminal nobody can answer, so scripts
 * go ahead without asking, as `kubectl delete` does; --yes says the same on a terminal.
 */
export function shouldConfirm(count: number, yes: boolean, interactive: boolean): boolean {
  return count > 1 && !yes && interactive;
}

/** True when both of this process's ends are a terminal. */
export function isInteractive(): boolean {
  return process.stdin.isTTY === true && process.stdout.isTTY === true;
}

/** `question [y/N] ` on stderr; true only for y or yes. End of input (Ctrl-D) is a no. */
export async function confirm(question: string): Promise<boolean> {
  // Loaded only when asking: `mo stop` is on the CLI's fast path.
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once('close', () => resolve(''));
      void rl.question(`${question} [y/N] `).then(resolve, () => resolve(''));
    });
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
