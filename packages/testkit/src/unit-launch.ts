// Runs a systemd service the way its unit file says, where systemd is not PID 1 (containers here):
// a /bin/sh script made from the unit's own [Service] lines, so a test exercises the installed
// unit's command line, environment and files rather than a copy of them.
//
// Covered: Environment= (then EnvironmentFile=, whose values win, "-" = optional), StateDirectory=
// (made under /var/lib), LoadCredential= (copied to a credentials directory that %d names),
// DynamicUser= (an unprivileged uid/gid via setpriv, owning the state and credentials), ExecStart=.
// Anything else (sandboxing, limits, restarts) is systemd's and left out: `systemd-analyze verify`
// checks those lines.
import { unitDirectives } from './systemd-unit.js';

export interface UnitLaunchOptions {
  /** Unit name, for the credentials directory (/run/credentials/<name>). */
  unitName: string;
  /** uid:gid a DynamicUser= unit runs as (default 61234:61234, in systemd's dynamic range). */
  dynamicUser?: string;
}

const quote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/** A /bin/sh script that starts the unit's ExecStart= as systemd would; throws naming a directive it cannot follow. */
export function unitLaunchScript(unitText: string, options: UnitLaunchOptions): string {
  const service = unitDirectives(unitText, 'Service');
  const all = (key: string) => service.filter(([k]) => k === key).map(([, v]) => v);
  const starts = all('ExecStart');
  if (starts.length !== 1) throw new Error(`ExecStart: expected one line, found ${starts.length}`);
  const credDir = `/run/credentials/${options.unitName}`;
  const expand = (v: string) => v.replaceAll('%d', credDir).replaceAll('%%', '%');
  const dynamic = all('DynamicUser').includes('yes');
  const owner = options.dynamicUser ?? '61234:61234';
  const lines = ['set -e', `mkdir -p ${quote(credDir)}`];
  for (const spec of all('LoadCredential')) {
    const colon = spec.indexOf(':');
    if (colon <= 0) throw new Error(`LoadCredential: expected NAME:PATH, got ${JSON.stringify(spec)}`);
    const target = `${credDir}/${spec.slice(0, colon)}`;
    lines.push(`cp ${quote(spec.slice(colon + 1))} ${quote(target)}`, `chmod 0400 ${quote(target)}`);
  }
  for (const dir of all('StateDirectory').flatMap((v) => v.split(/\s+/))) {
    lines.push(`mkdir -p ${quote(`/var/lib/${dir}`)}`);
    if (dynamic) lines.push(`chown -R ${owner} ${quote(`/var/lib/${dir}`)}`);
  }
  if (dynamic) lines.push(`chown -R ${owner} ${quote(credDir)}`);
  lines.push('set -a');
  // Unquoted values only (what mo's units use): each word is one NAME=value.
  for (const assignment of all('Environment').flatMap((v) => v.split(/\s+/))) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(assignment))
      throw new Error(`Environment: expected NAME=value, got ${JSON.stringify(assignment)}`);
    lines.push(quote(expand(assignment)).replace(/^'([A-Za-z_][A-Za-z0-9_]*)=/, "$1='"));
  }
  for (const file of all('EnvironmentFile')) {
    const optional = file.startsWith('-');
    const path = quote(optional ? file.slice(1) : file);
    lines.push(optional ? `if [ -f ${path} ]; then . ${path}; fi` : `. ${path}`);
  }
  lines.push('set +a');
  const [uid, gid] = owner.split(':');
  const asUser = dynamic ? `setpriv --reuid=${uid} --regid=${gid} --clear-groups ` : '';
  lines.push(`exec ${asUser}${expand(starts[0]!)}`);
  return `${lines.join('\n')}\n`;
}
