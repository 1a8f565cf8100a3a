// A daemon's security flags, shared by mo-agent and mo-scheduler: TLS files, or an explicit
// --insecure. With neither a daemon refuses to start and names the flags; with --insecure it warns.
import { describeIdentity, type CertRole } from '../auth/identity.js';
import { TlsFileError, type TlsFiles, type TlsMaterial } from '../tls/material.js';
import { TlsSource } from '../tls/source.js';
import type { Logger } from './log.js';

/** node:util parseArgs options for the security flags. */
export const SECURITY_FLAG_OPTIONS = {
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  insecure: { type: 'boolean' },
  'metrics-open': { type: 'boolean' },
} as const;

/** The help lines for them. */
export const SECURITY_HELP = `Security (one of the two is required):
  --tls-ca FILE           the cluster's CA certificate      MO_TLS_CA
  --tls-cert FILE         this daemon's certificate         MO_TLS_CERT
  --tls-key FILE          its private key (mode 0600)       MO_TLS_KEY
                          (mo tls ca create; mo tls cert create --role ...; SIGHUP reloads them)
  --insecure              plaintext, no authentication: anyone who reaches the ports controls
                          this daemon (logs a warning)      MO_INSECURE=1
  --metrics-open          /metrics without a client certificate (default: any certificate of
                          the CA; /healthz is always open)  MO_METRICS_OPEN=1`;

export interface SecurityOptions {
  /** TLS files (all three). */
  tls?: TlsFiles;
  /** Plaintext, by explicit choice. */
  insecure?: boolean;
  /** /metrics readable without a client certificate. */
  metricsOpen?: boolean;
}

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes)$/i.test(v.trim());

/** Reads the flags (else MO_* variables); throws an Error naming the flag when they do not fit. */
export function readSecurityFlags(values: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv): SecurityOptions {
  const pick = (flag: string, envName: string) => (values[flag] as string | undefined) ?? env[envName];
  const ca = pick('tls-ca', 'MO_TLS_CA');
  const cert = pick('tls-cert', 'MO_TLS_CERT');
  const key = pick('tls-key', 'MO_TLS_KEY');
  const insecure = values.insecure === true || truthy(env.MO_INSECURE);
  const metricsOpen = values['metrics-open'] === true || truthy(env.MO_METRICS_OPEN);
  const given = [ca, cert, key].filter((v) => v !== undefined && v !== '').length;
  if (given > 0 && given < 3) {
    const missing = [
      ...(ca ? [] : ['--tls-ca (MO_TLS_CA)']),
      ...(cert ? [] : ['--tls-cert (MO_TLS_CERT)']),
      ...(key ? [] : ['--tls-key (MO_TLS_KEY)']),
    ];
    throw new Error(`TLS needs all three files: missing ${missing.join(', ')}`);
  }
  if (given === 3 && insecure) throw new Error('--insecure (MO_INSECURE) and --tls-* both given: choose one');
  return {
    ...(given === 3 ? { tls: { ca: ca!, cert: cert!, key: key! } } : {}),
    ...(insecure ? { insecure: true } : {}),
    ...(metricsOpen ? { metricsOpen: true } : {}),
  };
}

/** Checks that a daemon has TLS or --insecure (not both): the start-up refusal names the flags. */
export function checkSecurity(o: SecurityOptions, daemon: string): void {
  if (o.tls && o.insecure) throw new Error('tls and insecure both given: choose one');
  if (!o.tls && !o.insecure) {
    throw new Error(
      `${daemon} needs TLS: give --tls-ca, --tls-cert and --tls-key (MO_TLS_CA, MO_TLS_CERT, MO_TLS_KEY; ` +
        `make them with mo tls ca create and mo tls cert create), or --insecure (MO_INSECURE=1) for plaintext`,
    );
  }
}

function sameRole(a: CertRole, b: CertRole): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind !== 'agent' || (b.kind === 'agent' && a.node === b.node);
}

/**
 * Loads a daemon's TLS material (undefined with --insecure, after a warning), refusing a
 * certificate for another role: an agent's must be `agent.<its node>.mo`, the scheduler's
 * `scheduler.mo`, at start and at every reload.
 */
export function openTls(o: SecurityOptions, role: CertRole, logger: Logger): TlsSource | undefined {
  if (!o.tls) {
    logger.warn(
      'running without TLS (--insecure): no authentication, anyone who reaches the ports controls this daemon',
    );
    return undefined;
  }
  const expected = describeIdentity(role);
  return new TlsSource(o.tls, undefined, (m: TlsMaterial) => {
    if (!sameRole(m.role, role)) {
      const hint = role.kind === 'agent' ? `--role agent --node ${role.node}` : `--role ${role.kind}`;
      throw new TlsFileError(
        `--tls-cert (MO_TLS_CERT): ${o.tls!.cert} is a certificate for ${describeIdentity(m.role)}, ` +
          `this daemon is ${expected} (mo tls cert create ${hint})`,
      );
    }
  });
}

/** SIGHUP: reloads the files; a failed reload keeps the old material and logs why. */
export function reloadTls(source: TlsSource | undefined, logger: Logger): void {
  if (!source) return;
  const r = source.reload();
  if (r.ok) logger.info('TLS certificates reloaded', { notAfter: r.material.notAfter.toISOString() });
  else logger.error('TLS reload failed; keeping the previous certificates', { error: r.error });
}
