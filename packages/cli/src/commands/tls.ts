// `mo tls ca create [--dir D]` and `mo tls cert create --role scheduler|agent|client ...`: the
// cluster's CA and its role certificates, made with @mo/pki (no openssl needed). Keys are written
// 0600, certificates 0644, and nothing is overwritten without --force.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { addGlobalOptions, type CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { collect, parseChoice, parseCount } from '../flags.js';
import { write, writeJson } from '../io.js';

const ROLES = ['scheduler', 'agent', 'client'] as const;
const ACCESS = ['read', 'operate', 'admin'] as const;
export const DEFAULT_TLS_DIR = '.';

interface CaFlags {
  dir?: string;
  days?: string;
  force?: boolean;
}

interface CertFlags {
  role?: string;
  node?: string;
  name?: string;
  access?: string;
  san?: string[];
  days?: string;
  caDir?: string;
  out?: string;
  force?: boolean;
}

/** What `mo tls cert create` makes: the role, and the base name of its files. */
export function certRequest(flags: CertFlags): {
  role: import('@mo/api').CertRole;
  base: string;
  sans: string[];
  days?: number;
} {
  if (flags.role === undefined) throw new UsageError('is required: scheduler, agent or client', '--role');
  const kind = parseChoice(flags.role, '--role', ROLES);
  const sans = flags.san ?? [];
  const days = flags.days === undefined ? undefined : parseCount(flags.days, '--days', 3650 * 3);
  const withDays = days === undefined ? {} : { days };
  if (kind !== 'agent' && flags.node !== undefined) throw new UsageError('is for --role agent', '--node');
  if (kind !== 'client' && (flags.name !== undefined || flags.access !== undefined)) {
    throw new UsageError('is for --role client', flags.name !== undefined ? '--name' : '--access');
  }
  if (kind !== 'scheduler' && sans.length > 0) throw new UsageError('is for --role scheduler', '--san');
  if (kind === 'scheduler') return { role: { kind }, base: 'scheduler', sans, ...withDays };
  if (kind === 'agent') {
    if (!flags.node) throw new UsageError('is required with --role agent (the node name the agent runs as)', '--node');
    return { role: { kind, node: flags.node }, base: `agent-${flags.node}`, sans, ...withDays };
  }
  if (!flags.name) throw new UsageError("is required with --role client (the person's or script's name)", '--name');
  const access = flags.access === undefined ? 'read' : parseChoice(flags.access, '--access', ACCESS);
  return { role: { kind, name: flags.name, access }, base: `client-${flags.name}`, sans, ...withDays };
}

export function registerTls(program: Command, ctx: CliContext): void {
  const tls = program.command('tls').summary("make the cluster's CA and certificates (ca create, cert create)");
  const ca = tls
    .command('ca')
    .summary('the certificate authority')
    .command('create')
    .summary('make a new CA (ca.pem, ca-key.pem)')
    .description(
      'A self-signed ECDSA P-256 CA, valid 10 years: ca.pem (give it to every daemon and client as ' +
        '--tls-ca / --ca-cert) and ca-key.pem (0600: keep it where certificates are made, not on every host).',
    )
    .option('--dir <dir>', 'where to write them (default: the current directory)')
    .option('--days <n>', 'validity in days (default 3650)')
    .option('--force', 'overwrite existing files');
  addGlobalOptions(ca).action(async (flags: CaFlags, self: Command) => {
    const globals = ctx.resolve(self);
    const dir = resolve(flags.dir ?? DEFAULT_TLS_DIR);
    const days = flags.days === undefined ? undefined : parseCount(flags.days, '--days', 3650 * 3);
    const { createCa, writePair } = await import('@mo/pki');
    const paths = writePair(dir, 'ca', await createCa(days === undefined ? {} : { days }), flags.force === true);
    if (globals.json) return writeJson(ctx.io, { caCert: paths.cert, caKey: paths.key });
    await write(ctx.io.stdout, `wrote ${paths.cert}\nwrote ${paths.key} (private: keep it safe)\n`);
  });

  const cert = tls
    .command('cert')
    .summary('role certificates')
    .command('create')
    .summary('make a certificate for the scheduler, an agent or a client')
    .description(
      'A certificate signed by the CA in --ca-dir, with its role in DNS SANs: scheduler.mo; ' +
        'agent.<node>.mo (an agent must run with --node-name <node>); client.mo + <access>.client.mo with ' +
        'CN <name>. Written as <role>[-<node|name>].pem and -key.pem (0600) in --out.',
    )
    .option('--role <role>', 'scheduler, agent or client')
    .option('--node <name>', 'agent: the node name')
    .option('--name <name>', "client: the person's or script's name")
    .option('--access <access>', 'client: read (default), operate or admin')
    .option('--san <host-or-ip>', 'scheduler: an extra DNS name or IP address, repeatable', collect)
    .option('--days <n>', 'validity in days (default 365)')
    .option('--ca-dir <dir>', 'where ca.pem and ca-key.pem are (default: the current directory)')
    .option('--out <dir>', 'where to write (default: --ca-dir)')
    .option('--force', 'overwrite existing files');
  addGlobalOptions(cert).action(async (flags: CertFlags, self: Command) => {
    const globals = ctx.resolve(self);
    const req = certRequest(flags);
    const caDir = resolve(flags.caDir ?? DEFAULT_TLS_DIR);
    const out = resolve(flags.out ?? caDir);
    const { createCertificate, readCa, writePair } = await import('@mo/pki');
    const { roleSans } = await import('@mo/api');
    try {
      roleSans(req.role); // the node or client name, before anything is read or written
    } catch (err) {
      throw new UsageError(
        (err as Error).message.replace(/^\w+: /, ''),
        req.role.kind === 'agent' ? '--node' : '--name',
      );
    }
    let caPair;
    try {
      caPair = readCa(caDir);
    } catch (err) {
      throw new UsageError((err as Error).message, '--ca-dir');
    }
    let pair;
    try {
      pair = await createCertificate(caPair, {
        role: req.role,
        sans: req.sans,
        ...(req.days !== undefined ? { days: req.days } : {}),
      });
    } catch (err) {
      const m = /^(\w+): (.*)$/.exec((err as Error).message);
      throw m ? new UsageError(m[2]!, `--${m[1] === 'name' && req.role.kind === 'agent' ? 'node' : m[1]}`) : err;
    }
    const paths = writePair(out, req.base, pair, flags.force === true);
    if (globals.json) return writeJson(ctx.io, { cert: paths.cert, key: paths.key });
    await write(ctx.io.stdout, `wrote ${paths.cert}\nwrote ${paths.key}\n`);
  });
}
