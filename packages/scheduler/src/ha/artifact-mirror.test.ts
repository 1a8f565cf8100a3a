// The artifact mirror against a real etcd and a real leader's artifact service: the leader is an
// ArtifactStore on the fenced etcd store, served by the scheduler's own artifact handlers over
// gRPC (plaintext); the mirror watches the same etcd. Records and files are put on the leader's
// side as an upload leaves them (file renamed into place, then the record committed).
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { createLogger, createMoServer, moProto, RegistryClient, type MoServer } from '@mo/api';
import { etcdFound, requireTool, startEtcd, waitFor, type EtcdServer } from '@mo/testkit';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ArtifactStore, artifactFile } from '../pipelines/artifacts.js';
import { artifactHandlers } from '../server/artifact-handlers.js';
import { openEtcdCluster, type EtcdCluster, type Store } from '../store/index.js';
import { ArtifactMirror } from './artifact-mirror.js';
import { ReplicaAcks } from './replica-acks.js';

const haveEtcd = requireTool(etcdFound(), 'etcd (Debian etcd-server, /usr/bin/etcd)');
const SELF = 'mirror-1:7600';
let etcd: EtcdServer | undefined;
beforeAll(async () => {
  if (haveEtcd) etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.close();
});

const unimplemented = { code: grpc.status.UNIMPLEMENTED };
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

interface World {
  leaderDir: string;
  mirrorDir: string;
  address: string;
  artifacts: ArtifactStore;
  acks: ReplicaAcks;
  /** Stores an artifact on the leader as an upload does (file in place, then the record). */
  put(pipelineId: string, stepId: string, path: string, content: string): Promise<void>;
  mirror(leader?: () => string | undefined): ArtifactMirror;
}

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
});

async function world(): Promise<World> {
  const prefix = `/mo-test/mirror-${randomUUID().slice(0, 8)}/`;
  const leaderCluster: EtcdCluster = await openEtcdCluster({ endpoints: etcd!.endpoints, prefix });
  closers.push(() => leaderCluster.close());
  const store: Store = leaderCluster.openStore(await leaderCluster.election.campaign('{}'));
  const leaderDir = mkdtempSync(join(tmpdir(), 'mo-mirror-leader-'));
  const mirrorDir = mkdtempSync(join(tmpdir(), 'mo-mirror-copy-'));
  closers.push(async () => {
    rmSync(leaderDir, { recursive: true, force: true });
    rmSync(mirrorDir, { recursive: true, force: true });
  });
  const artifacts = new ArtifactStore({
    dir: leaderDir,
    store,
    maxBytesPerStep: 1 << 20,
    authorize: () => {
      throw new Error('no uploads here');
    },
    authorizeDownload: () => undefined,
  });
  const acks = new ReplicaAcks();
  const server: MoServer = createMoServer({
    services: ['mo.v1.NodeRegistry'],
    insecure: true,
    guard: { checkToken: () => ({ identity: { kind: 'insecure' } }) },
  });
  server.server.addService(moProto().mo.v1.NodeRegistry.service, {
    Register: (_call: unknown, cb: grpc.sendUnaryData<never>) => cb(unimplemented),
    SyncInventory: (_call: unknown, cb: grpc.sendUnaryData<never>) => cb(unimplemented),
    Heartbeat: (call: grpc.ServerDuplexStream<unknown, unknown>) => call.emit('error', unimplemented),
    ...artifactHandlers(artifacts, undefined, undefined, { acks, timeoutMs: 5000, onTimeout: () => undefined }),
  });
  const port = await server.listen('127.0.0.1:0');
  closers.push(() => server.close(100));
  const address = `127.0.0.1:${port}`;
  const followerCluster = await openEtcdCluster({ endpoints: etcd!.endpoints, prefix });
  closers.push(() => followerCluster.close());
  return {
    leaderDir,
    mirrorDir,
    address,
    artifacts,
    acks,
    async put(pipelineId, stepId, path, content) {
      const file = artifactFile(leaderDir, pipelineId, stepId, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      const record = { pipelineId, stepId, path, sha256: sha(content), sizeBytes: content.length, storedAtMs: 1 };
      await store.commit([{ kind: 'artifact', id: `${pipelineId}/${stepId}/${path}`, value: record }]);
      await artifacts.load();
    },
    mirror(leader = () => address) {
      const m = new ArtifactMirror({
        cluster: followerCluster,
        dir: mirrorDir,
        self: SELF,
        leader,
        credentials: { insecure: true },
        logger: createLogger('error'),
        tickMs: 50,
        reportEveryMs: 200,
      });
      closers.push(() => m.stop());
      m.start();
      return m;
    },
  };
}

const read = (w: World, p: string, s: string, path: string) => {
  const f = artifactFile(w.mirrorDir, p, s, path);
  return existsSync(f) ? readFileSync(f, 'utf8') : undefined;
};
const place = (dir: string, rel: string, content: string) => {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), content);
};

(haveEtcd ? describe : describe.skip)('ArtifactMirror', () => {
  it('copies every recorded artifact at start, replaces a wrong copy, removes what no record names', async () => {
    const w = await world();
    await w.put('P1', 'make', 'out.txt', 'hello');
    await w.put('P1', 'make', 'dist/app.bin', 'binary!');
    // Left on the mirror's disk from before: a copy of the same size but other bytes, a file and a
    // whole pipeline no record names, and a temp file of a transfer that never finished.
    place(w.mirrorDir, 'P1/make/files/out.txt', 'HELLO');
    place(w.mirrorDir, 'P1/make/files/old.txt', 'old');
    place(w.mirrorDir, 'P9/make/files/x', 'gone');
    place(w.mirrorDir, 'P1/make/.upload-deadbeef', 'partial');
    w.mirror();
    await waitFor('the copies', () => read(w, 'P1', 'make', 'out.txt') === 'hello');
    await waitFor('the nested copy', () => read(w, 'P1', 'make', 'dist/app.bin') === 'binary!');
    await waitFor('the stale files gone', () => !existsSync(join(w.mirrorDir, 'P9')));
    expect(existsSync(join(w.mirrorDir, 'P1/make/files/old.txt'))).toBe(false);
    expect(existsSync(join(w.mirrorDir, 'P1/make/.upload-deadbeef'))).toBe(false);
    // Reported: the leader counts the mirror live, and has both artifacts from it.
    await waitFor('the report', () => w.acks.live().includes(SELF));
    const ref = { pipelineId: 'P1', stepId: 'make', path: 'out.txt', sha256: sha('hello') };
    await expect(w.acks.waitFor(ref, 5000)).resolves.toEqual([]);
  });

  it('copies a new artifact (the leader waits for it and hears of it) and removes a retired pipeline', async () => {
    const w = await world();
    w.mirror();
    await waitFor('the mirror live at the leader', () => w.acks.live().includes(SELF));
    await w.put('P2', 'build', 'report', 'all good');
    const ref = { pipelineId: 'P2', stepId: 'build', path: 'report', sha256: sha('all good') };
    await expect(w.acks.waitFor(ref, 5000)).resolves.toEqual([]);
    expect(read(w, 'P2', 'build', 'report')).toBe('all good');
    // Replaced by another attempt: the new content.
    await w.put('P2', 'build', 'report', 'all better');
    await waitFor('the replaced copy', () => read(w, 'P2', 'build', 'report') === 'all better');
    await w.artifacts.removePipeline('P2');
    await waitFor('the retired pipeline removed', () => !existsSync(join(w.mirrorDir, 'P2')));
  });

  it('retries while the leader cannot be reached, and copies once it can', async () => {
    const w = await world();
    const leader = { address: '127.0.0.1:1' };
    w.mirror(() => leader.address);
    await w.put('P3', 'make', 'a', 'later');
    await new Promise((r) => setTimeout(r, 600));
    expect(read(w, 'P3', 'make', 'a')).toBeUndefined();
    leader.address = w.address;
    await waitFor('the copy once the leader answers', () => read(w, 'P3', 'make', 'a') === 'later', {
      timeoutMs: 15_000,
    });
  });

  it('does nothing more once stopped (this process leads)', async () => {
    const w = await world();
    const m = w.mirror();
    await w.put('P4', 'make', 'a', 'one');
    await waitFor('the first copy', () => read(w, 'P4', 'make', 'a') === 'one');
    await m.stop();
    await w.put('P4', 'make', 'b', 'two');
    await new Promise((r) => setTimeout(r, 500));
    expect(read(w, 'P4', 'make', 'b')).toBeUndefined();
  });

  it('the leader answers UNAVAILABLE for a record whose file is not on its disk', async () => {
    const w = await world();
    await w.put('P5', 'make', 'a', 'here');
    // As after a failover before the copy arrived: the record is in etcd, the file is not here.
    rmSync(artifactFile(w.leaderDir, 'P5', 'make', 'a'));
    const client = new RegistryClient(w.address, { insecure: true });
    closers.push(async () => client.close());
    const chunks = client.downloadArtifact({ pipelineId: 'P5', stepId: 'make', path: 'a' }, 5000);
    await expect(chunks.next()).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
      message: expect.stringMatching(/artifact a of P5\/make is recorded but was not replicated to this scheduler/),
    });
  });
});
