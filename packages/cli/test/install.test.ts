// The production install, as README's "Production install" tells an operator, on fresh Debian 12
// hosts with no Node: scripts/package.sh's .deb installed with dpkg into two containers of
// mo-debian:12 (debootstrap --variant=minbase + docker import, scripts/debian-image.sh, cached in
// the docker engine), certificates made with the installed `mo tls`, /etc/mo/*.env configured,
// the daemons started from the installed units (their ExecStart=, Environment=, EnvironmentFile=,
// LoadCredential=, DynamicUser=: @mo/testkit's unitLaunchScript, as systemd is not PID 1 here),
// then a workload and a pipeline run through them with the installed `mo`. The unit files
// themselves pass `systemd-analyze verify` in the unpacked package tree.
//
// MO_INSTALL_DEB=path reuses a .deb built earlier in the same run (else package.sh --no-build makes
// one from the current `pnpm build`).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createUnitVerifier, requireTool, systemdAnalyzeFound, unitLaunchScript, waitFor } from '@mo/testkit';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const IMAGE = 'mo-debian:12';
const RUN = `mo-install-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const SCHED = `${RUN}-sched`; // also the scheduler host's name on the network
const AGENT = `${RUN}-node1`;
const NODE = 'node1';
// The operator's shell on the scheduler host, pointed at the scheduler (README: "Using it").
const CLIENT_ENV = [
  `export MO_SCHEDULER_ADDR=${SCHED}:7600 MO_CA_CERT=/etc/mo/tls/ca.pem`,
  'MO_CLIENT_CERT=/root/mo/client-ops.pem MO_CLIENT_KEY=/root/mo/client-ops-key.pem',
].join(' ');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], options: { input?: string; timeoutMs?: number } = {}): Run {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    input: options.input,
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A shell script in a container; throws with its output unless it exits 0 (or `expectStatus`). */
function sh(container: string, script: string, options: { input?: string; expectStatus?: number } = {}): string {
  const r = run(
    'docker',
    ['exec', ...(options.input !== undefined ? ['-i'] : []), container, 'sh', '-c', script],
    options,
  );
  if (r.status !== (options.expectStatus ?? 0))
    throw new Error(`${container}: \`${script}\` exited ${r.status}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

const dockerFound = run('docker', ['info', '--format', '{{.ServerVersion}}']).status === 0;
const debootstrapFound = spawnSync('debootstrap', ['--version'], { stdio: 'ignore' }).error === undefined;
const dpkgDebFound = spawnSync('dpkg-deb', ['--version'], { stdio: 'ignore' }).error === undefined;
const ready =
  requireTool(dockerFound, 'docker (a running engine)') &&
  requireTool(systemdAnalyzeFound(), 'systemd-analyze') &&
  requireTool(dpkgDebFound, 'dpkg-deb (Debian package dpkg)');
const itReady = ready ? it : it.skip;

describe('the .deb on fresh Debian 12 hosts', () => {
  let work: string;
  let deb: string;
  let nodeId = '';

  beforeAll(() => {
    if (!ready) return;
    work = mkdtempSync(join(tmpdir(), `${RUN}-`));
    // First run on a machine: debootstrap from the apt mirror (minutes); later runs: the cached image.
    if (run('docker', ['image', 'inspect', IMAGE]).status !== 0) requireTool(debootstrapFound, 'debootstrap');
    const image = run(join(REPO, 'scripts/debian-image.sh'), [IMAGE], { timeoutMs: 20 * 60_000 });
    expect(image.stderr.split('\n').filter((l) => /error|fail/i.test(l))).toEqual([]);
    expect(image.status).toBe(0);
    if (process.env.MO_INSTALL_DEB) deb = process.env.MO_INSTALL_DEB;
    else {
      const built = run(join(REPO, 'scripts/package.sh'), ['--no-build', '--out', join(work, 'release')], {
        timeoutMs: 10 * 60_000,
      });
      if (built.status !== 0) throw new Error(`package.sh exited ${built.status}\n${built.stderr}`);
      deb = built.stdout.split('\n').find((l) => l.endsWith('.deb'))!;
    }
    expect(basename(deb)).toMatch(/^mo_\d+\.\d+\.\d+_[a-z0-9]+\.deb$/);
    expect(run('docker', ['network', 'create', RUN]).status).toBe(0);
    const common = ['run', '-d', '--network', RUN, '-v', `${dirname(deb)}:/pkg:ro`];
    expect(run('docker', [...common, '--name', SCHED, '--hostname', SCHED, IMAGE, 'sleep', 'infinity']).status).toBe(0);
    // The agent runs as root and makes a cgroup per process workload (limits, and killing a whole
    // tree) under /mo/<node-id> in each hierarchy, which needs a writable /sys/fs/cgroup: Docker
    // mounts the container's own cgroups read-only. --privileged would lift that, but this engine
    // may not grant every capability ("unable to apply caps"), so the host's cgroup file system is
    // bound read-write instead, as a real host's agent sees it; afterAll removes the node's groups.
    const agentArgs = ['--name', AGENT, '--hostname', NODE, '-v', '/sys/fs/cgroup:/sys/fs/cgroup:rw'];
    expect(run('docker', [...common, ...agentArgs, IMAGE, 'sleep', 'infinity']).status).toBe(0);
  }, 30 * 60_000);

  afterAll(() => {
    if (!ready) return;
    // Empty cgroups the agent left on the host (only this node's: other agents may be running).
    if (nodeId !== '')
      run('docker', [
        'exec',
        AGENT,
        'sh',
        '-c',
        `find /sys/fs/cgroup -depth -type d -path '*/mo/${nodeId}*' -exec rmdir {} + 2>/dev/null; true`,
      ]);
    run('docker', ['rm', '-f', SCHED, AGENT]);
    run('docker', ['network', 'rm', RUN]);
    rmSync(work, { recursive: true, force: true });
  });

  itReady('starts from a root file system without Node', () => {
    expect(sh(SCHED, 'command -v node nodejs || echo none')).toBe('none\n');
    expect(sh(SCHED, '. /etc/os-release; echo $VERSION_ID')).toBe('12\n');
  });

  itReady(
    'installs with dpkg alone: its dependencies are already there, nothing is enabled',
    () => {
      for (const host of [SCHED, AGENT]) {
        sh(host, `dpkg -i /pkg/${basename(deb)}`);
        expect(sh(host, 'mo --version')).toMatch(/^\d+\.\d+\.\d+\n$/);
        // (dash's `command -v` names only its first argument)
        expect(sh(host, 'for c in mo mo-agent mo-scheduler; do command -v $c; done')).toBe(
          '/usr/bin/mo\n/usr/bin/mo-agent\n/usr/bin/mo-scheduler\n',
        );
        expect(sh(host, 'id -un mo; stat -c %U:%a /var/lib/mo /etc/mo/tls')).toBe('mo\nroot:755\nroot:700\n');
        expect(sh(host, 'ls /etc/systemd/system/*.wants/ 2>/dev/null | grep -c mo- || true')).toBe('0\n');
      }
    },
    180_000,
  );

  itReady('ships units that systemd-analyze verify accepts in the installed tree', () => {
    const tree = join(work, 'tree');
    expect(run('dpkg-deb', ['-x', deb, tree]).status).toBe(0);
    const verifier = createUnitVerifier({ tree });
    try {
      for (const unit of ['mo-agent.service', 'mo-scheduler.service']) {
        const result = verifier.verify(readFileSync(join(tree, 'lib/systemd/system', unit), 'utf8'), unit);
        expect(result.lines).toEqual([]);
        expect(result.status).toBe(0);
      }
    } finally {
      verifier.close();
    }
    expect(readdirSync(join(tree, 'usr/lib/mo'))).toEqual(expect.arrayContaining(['node', 'dist', 'node_modules']));
  });

  itReady('ships the same tree as a tarball', () => {
    const names = (cmd: string, args: string[]) =>
      run(cmd, args)
        .stdout.split('\n')
        .filter(Boolean)
        .map((l) =>
          l
            .replace(/ -> .*$/, '')
            .split(/\s+/)
            .pop()!
            .replace(/\/$/, ''),
        ) // a link's name, not its target
        .sort();
    const inDeb = names('dpkg-deb', ['-c', deb]);
    expect(inDeb).toEqual(expect.arrayContaining(['./usr/lib/mo/node', './usr/bin/mo', './usr/lib/mo/bin/mo']));
    expect(names('tar', ['-tzf', deb.replace(/\.deb$/, '.tar.gz')])).toEqual(inDeb);
  });

  itReady(
    'runs the scheduler and an agent from the installed units, configured as README says',
    async () => {
      // Certificates, on the scheduler host (README: "Certificates").
      sh(
        SCHED,
        `mo tls ca create --dir /etc/mo/tls
mo tls cert create --role scheduler --san ${SCHED} --ca-dir /etc/mo/tls
mo tls cert create --role agent --node ${NODE} --ca-dir /etc/mo/tls --out /root/${NODE}
mo tls cert create --role client --name ops --access operate --ca-dir /etc/mo/tls --out /root/mo`,
      );
      // Copied to the agent's host as agent.pem and agent-key.pem.
      const files = { 'ca.pem': '/etc/mo/tls/ca.pem', 'agent.pem': `/root/${NODE}/agent-${NODE}.pem` };
      for (const [name, from] of Object.entries({ ...files, 'agent-key.pem': `/root/${NODE}/agent-${NODE}-key.pem` }))
        sh(AGENT, `umask 077; cat > /etc/mo/tls/${name}`, { input: sh(SCHED, `cat ${from}`) });
      // Configuration (README: "Configure").
      sh(
        AGENT,
        `cat >> /etc/mo/agent.env <<EOF
MO_SCHEDULER_ADDR=${SCHED}:7600
MO_ADVERTISE_ADDR=${NODE}:7610
EOF`,
      );
      for (const [host, unit] of [
        [SCHED, 'mo-scheduler'],
        [AGENT, 'mo-agent'],
      ] as const) {
        const script = unitLaunchScript(sh(host, `cat /lib/systemd/system/${unit}.service`), {
          unitName: `${unit}.service`,
        });
        sh(host, `cat > /root/start-${unit}.sh`, { input: script });
        expect(
          run('docker', ['exec', '-d', host, 'sh', '-c', `sh /root/start-${unit}.sh >/root/${unit}.log 2>&1`]).status,
        ).toBe(0);
      }
      const nodes = () => run('docker', ['exec', SCHED, 'sh', '-c', `${CLIENT_ENV}; mo --json nodes`]);
      const up = () => {
        const r = nodes();
        if (r.status !== 0) return false;
        const node = (JSON.parse(r.stdout) as { nodes: { id: string; name: string; state: string }[] }).nodes.find(
          (n) => n.name === NODE,
        );
        nodeId = node?.id ?? '';
        return node?.state === 'NODE_STATE_UP';
      };
      await waitFor('node1 up', up, { timeoutMs: 60_000, intervalMs: 500 }).catch((err: unknown) => {
        const logs = `${sh(SCHED, 'cat /root/mo-scheduler.log')}\n${sh(AGENT, 'cat /root/mo-agent.log')}`;
        throw new Error(`${String(err)}\n${nodes().stdout}${nodes().stderr}\n${logs}`);
      });
      // The scheduler runs unprivileged (its DynamicUser= stand-in), the agent as root.
      const uidOf = (host: string, script: string) =>
        sh(
          host,
          `for p in /proc/[0-9]*; do grep -qa 'dist/${script}[.]js' $p/cmdline 2>/dev/null && stat -c %u $p; done; true`,
        );
      expect(uidOf(SCHED, 'mo-scheduler').trim()).toBe('61234');
      expect(uidOf(AGENT, 'mo-agent').trim()).toBe('0');
      // With /sys/fs/cgroup writable (see beforeAll), it tracks and limits workloads by cgroup.
      expect(sh(AGENT, "grep 'agent ready' /root/mo-agent.log")).toMatch(/"cgroupRoot":"\/mo\//);
    },
    120_000,
  );

  itReady(
    'runs a workload through them, as the unprivileged mo user',
    () => {
      const script = 'echo "hello from $(id -un) on $MO_NODE_NAME"; exit 3';
      const started = run('docker', [
        'exec',
        SCHED,
        'sh',
        '-c',
        `${CLIENT_ENV}; mo --json start --wait=exit -- sh -c '${script}'`,
      ]);
      // --wait=exit: exit 4 when the workload failed, saying how (its own exit code 3).
      expect(started.stderr).toMatch(new RegExp(`failed on ${NODE} \\(exit 3\\)`));
      expect(started.status).toBe(4);
      const { workload } = JSON.parse(started.stdout) as { workload: { id: string; state: string; node: string } };
      expect(workload).toMatchObject({ state: 'WORKLOAD_STATE_FAILED' });
      expect(sh(SCHED, `${CLIENT_ENV}; mo logs ${workload.id}`)).toBe(`hello from mo on ${NODE}\n`);
      // A script's calls after its first went to the CLI helper the front started (its socket in
      // root's private directory), with what the Node CLI answers.
      expect(sh(SCHED, 'stat -c %a /tmp/mo-0; ls /tmp/mo-0')).toMatch(/^700\n(.*\n)*cli-[^\n]*\.sock\n/);
      const ps = (env: string) => sh(SCHED, `${CLIENT_ENV}; ${env} mo --json ps --all`);
      expect(ps('')).toBe(ps('MO_CLI_HELPER=off'));
    },
    60_000,
  );

  itReady(
    'runs a pipeline through them to success',
    () => {
      const out = sh(SCHED, `${CLIENT_ENV}; mo pipeline run /usr/share/doc/mo/examples/diamond.yaml --wait`);
      expect(out).toMatch(/succeeded/i);
    },
    90_000,
  );

  itReady(
    'runs mo from the tarball unpacked anywhere: the tree needs nothing outside it',
    () => {
      const tarball = basename(deb).replace(/\.deb$/, '.tar.gz');
      sh(SCHED, `mkdir -p /opt/unpacked && tar -C /opt/unpacked -xzf /pkg/${tarball}`);
      const lib = '/opt/unpacked/usr/lib/mo';
      const mo = `${lib}/node --use-openssl-ca ${lib}/bin/mo.cjs`;
      expect(sh(SCHED, `${mo} --version`)).toBe(sh(SCHED, 'mo --version'));
      // The front there runs that tree's Node and bundle.
      expect(sh(SCHED, `${lib}/bin/mo --version`)).toBe(sh(SCHED, 'mo --version'));
      expect(sh(SCHED, `${CLIENT_ENV}; ${lib}/bin/mo --json ps`)).toMatch(/"workloads"/);
      // The fast path (its bundle and code cache) and the full command line (grpc-js) both work.
      const nodes = JSON.parse(sh(SCHED, `${CLIENT_ENV}; ${mo} --json nodes`)) as { nodes: { name: string }[] };
      expect(nodes.nodes.map((n) => n.name)).toContain(NODE);
      const started = JSON.parse(sh(SCHED, `${CLIENT_ENV}; ${mo} --json start --wait=exit -- true`)) as {
        workload: { state: string };
      };
      expect(started.workload.state).toBe('WORKLOAD_STATE_SUCCEEDED');
      expect(sh(SCHED, `${CLIENT_ENV}; ${mo} pipeline list`)).toMatch(/succeeded/i);
      sh(SCHED, 'rm -rf /opt/unpacked');
    },
    60_000,
  );

  itReady('keeps configuration and data on dpkg -r, removes them on dpkg -P', () => {
    sh(
      AGENT,
      'for p in /proc/[0-9]*; do grep -qa dist/mo-agent[.]js $p/cmdline 2>/dev/null && kill ${p#/proc/}; done; true',
    );
    sh(AGENT, 'dpkg -r mo');
    expect(sh(AGENT, 'command -v mo || echo gone')).toBe('gone\n');
    expect(sh(AGENT, 'ls /etc/mo/tls /var/lib/mo')).toMatch(/agent-key\.pem[\s\S]*agent/);
    sh(AGENT, 'dpkg -P mo');
    expect(sh(AGENT, 'ls -d /etc/mo /var/lib/mo 2>/dev/null || echo none')).toBe('none\n');
  });
});
