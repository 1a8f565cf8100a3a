// `mo token create|list|revoke`: the scheduler's Tokens service (admin access). A token is shown
// once, when it is made: `create` prints only its text on stdout (so `export MO_TOKEN=$(mo token
// create …)` works) and what it is on stderr.
import type { AccessLevel, Token__Output } from '@mo/api';
import type { Command } from 'commander';
import { addGlobalOptions, type CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { parseChoice, parseDuration } from '../flags.js';
import { write, writeJson } from '../io.js';
import { renderTable } from '../output/table.js';

const ROLES = ['read', 'operate', 'admin'] as const;
const ROLE_ENUM: Record<(typeof ROLES)[number], AccessLevel> = {
  read: 'ACCESS_LEVEL_READ',
  operate: 'ACCESS_LEVEL_OPERATE',
  admin: 'ACCESS_LEVEL_ADMIN',
};
const DAY_MS = 24 * 60 * 60 * 1000;

/** `30d`, or any duration the other flags take (`12h`, `90m`); above 0. */
export function parseTtl(value: string, flag = '--ttl'): number {
  const days = /^\s*(\d+)d\s*$/.exec(value);
  const ms = days ? Number(days[1]) * DAY_MS : parseDuration(value, flag);
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new UsageError(`must be a duration above 0 (30d, 12h, 90m), got ${JSON.stringify(value)}`, flag);
  }
  return ms;
}

/** `ACCESS_LEVEL_OPERATE` -> `operate`. */
export function roleName(access: AccessLevel | string): string {
  return String(access)
    .replace(/^ACCESS_LEVEL_/, '')
    .toLowerCase();
}

function when(ms: number): string {
  return ms ? `${new Date(ms).toISOString().slice(0, 19)}Z` : '-';
}

/** The table of `mo token list`. */
export function renderTokens(tokens: readonly Token__Output[]): string {
  return renderTable(
    [
      { header: 'ID' },
      { header: 'NAME' },
      { header: 'ROLE' },
      { header: 'STATE' },
      { header: 'CREATED' },
      { header: 'BY' },
      { header: 'EXPIRES' },
    ],
    tokens.map((t) => [
      t.id,
      t.name,
      roleName(t.access),
      t.state,
      when(t.createdAtMs),
      t.createdBy,
      t.expiresAtMs ? when(t.expiresAtMs) : 'never',
    ]),
  );
}

export function registerToken(program: Command, ctx: CliContext): void {
  const token = program
    .command('token')
    .summary('bearer tokens for people and scripts (create, list, revoke; admin)')
    .description(
      'Bearer tokens with a role: read (get, list, watch, logs), operate (+ start, stop, pipelines, ' +
        'approvals) or admin (+ tokens, node removal). mo sends --token or $MO_TOKEN with every call. ' +
        'The scheduler keeps only a hash: a token is shown once, when it is made. Its first admin token, ' +
        '`bootstrap`, is in <scheduler data dir>/bootstrap-token.',
    );

  const create = token
    .command('create')
    .summary('make a token and print it (shown only this once)')
    .requiredOption('--name <name>', 'a name for it: [a-z0-9][a-z0-9._-]*, unique among tokens not revoked')
    .requiredOption('--role <role>', `what it may do: ${ROLES.join('|')}`)
    .option('--ttl <duration>', 'expires this long after it is made (30d, 12h; default never)');
  addGlobalOptions(create).action(async (flags: { name: string; role: string; ttl?: string }, self: Command) => {
    const globals = ctx.resolve(self);
    const role = parseChoice(flags.role, '--role', ROLES);
    const ttlMs = flags.ttl === undefined ? 0 : parseTtl(flags.ttl);
    const res = await ctx.withTokens(globals, (client) =>
      client.create({ name: flags.name, access: ROLE_ENUM[role], ttlMs }),
    );
    if (globals.json) return writeJson(ctx.io, res);
    const t = res.token!;
    await write(
      ctx.io.stderr,
      `token ${t.name} (${roleName(t.access)}, id ${t.id}, ` +
        `${t.expiresAtMs ? `expires ${when(t.expiresAtMs)}` : 'never expires'}): shown only now, keep it safe\n`,
    );
    await write(ctx.io.stdout, `${res.secret}\n`);
  });

  const list = token.command('list').summary('every token, newest first (never their secrets)');
  addGlobalOptions(list).action(async (_flags: object, self: Command) => {
    const globals = ctx.resolve(self);
    const res = await ctx.withTokens(globals, (client) => client.listAll());
    await (globals.json ? writeJson(ctx.io, res) : write(ctx.io.stdout, renderTokens(res.tokens)));
  });

  const revoke = token
    .command('revoke')
    .summary('revoke a token: calls with it are refused from now on')
    .argument('<token>', 'its id, or the name of a token not yet revoked');
  addGlobalOptions(revoke).action(async (ref: string, _flags: object, self: Command) => {
    const globals = ctx.resolve(self);
    const res = await ctx.withTokens(globals, (client) => client.revoke(ref));
    if (globals.json) return writeJson(ctx.io, res);
    const t = res.token!;
    await write(ctx.io.stdout, `revoked token ${t.name} (${t.id}) at ${when(t.revokedAtMs)}\n`);
  });
}
