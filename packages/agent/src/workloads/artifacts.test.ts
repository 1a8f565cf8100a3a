// SchedulerArtifacts, the transfer through the scheduler, on its own: uploads refused before anything is
// sent, and inputs fetched from a real NodeRegistry server, verified against their sha256 and size.
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  createMoServer,
  FailedPreconditionError,
  moProto,
  type ArtifactSettings,
  type MoServer,
  type NodeRegistryHandlers,
} from '@mo/api';
import * as grpc from '@grpc/grpc-js';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchedulerArtifacts } from './artifacts.js';

const dir = mkdtempSync(join(tmpdir(), `mo-artifacts-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('artifact uploads', () => {
  it("refuses a file that is not the workload user's before sending anything", async () => {
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'app'), 'x');
    const mine = process.getuid?.() ?? 0;
    // No scheduler at this address: the refusal must come before any call.
    const transfer = new SchedulerArtifacts('127.0.0.1:1', { insecure: true });
    const a = { pipelineId: 'p', stepId: 's', upload: ['dist/app'], inputs: [], maxBytes: 1024 };
    const err = await transfer.upload(a, dir, mine + 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FailedPreconditionError);
    expect((err as Error).message).toBe(
      `artifact dist/app belongs to uid ${mine}, not to the workload's user (uid ${mine + 1})`,
    );
    transfer.close();
  });
});

/** A scheduler that serves each artifact's bytes, whatever was asked to be verified. */
async function schedulerServing(files: Record<string, Buffer>): Promise<{ address: string; server: MoServer }> {
  const unimplemented = { code: grpc.status.UNIMPLEMENTED };
  const handlers: NodeRegistryHandlers = {
    DownloadArtifact: (call) => {
      const data = files[call.request.path];
      if (!data) return call.emit('error', { code: grpc.status.NOT_FOUND });
      call.write({ data: data.subarray(0, 3) });
      call.write({ data: data.subarray(3) });
      call.end();
    },
    UploadArtifact: (_call, cb) => cb(unimplemented),
    ReportArtifactReplicas: (_call, cb) => cb(unimplemented),
    SyncInventory: (_call, cb) => cb(unimplemented),
    Register: (_call, cb) => cb(unimplemented),
    Heartbeat: (call) => call.emit('error', unimplemented),
  };
  const server = createMoServer({ services: ['mo.v1.NodeRegistry'], insecure: true });
  server.server.addService(moProto().mo.v1.NodeRegistry.service, handlers);
  const port = await server.listen('127.0.0.1:0');
  return { address: `127.0.0.1:${port}`, server };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('artifact inputs', () => {
  const good = Buffer.from('the build output\n');
  const inputOf = (path: string, over: Partial<ArtifactSettings['inputs'][number]> = {}): ArtifactSettings => ({
    pipelineId: 'p',
    stepId: 'test',
    upload: [],
    inputs: [{ pipelineId: 'p', stepId: 'build', path, sha256: sha256(good), sizeBytes: good.length, ...over }],
    maxBytes: 0,
  });

  async function fetchInto(a: ArtifactSettings): Promise<{ workDir: string; err: unknown }> {
    const { address, server } = await schedulerServing({ 'dist/app': good, 'app.txt': good });
    const workDir = mkdtempSync(join(dir, 'work-'));
    const transfer = new SchedulerArtifacts(address, { insecure: true });
    try {
      const err = await transfer.fetchInputs(a, workDir).catch((e: unknown) => e);
      return { workDir, err };
    } finally {
      transfer.close();
      await server.close(200);
    }
  }

  it('fetches an input whose bytes match its sha256 to its path in the working dir', async () => {
    const { workDir, err } = await fetchInto(inputOf('dist/app'));
    expect(err).toBeUndefined();
    expect(readFileSync(join(workDir, 'dist', 'app'))).toEqual(good);
    expect(readdirSync(join(workDir, 'dist'))).toEqual(['app']); // no temp file left behind
  });

  it('refuses an input whose bytes do not match its sha256, and leaves nothing of it', async () => {
    const { workDir, err } = await fetchInto(inputOf('app.txt', { sha256: 'f'.repeat(64) }));
    expect((err as Error).message).toBe(
      `could not fetch input build/app.txt: sha256 mismatch: expected ${'f'.repeat(64)}, got ${sha256(good)}`,
    );
    expect(existsSync(join(workDir, 'app.txt'))).toBe(false);
    expect(readdirSync(workDir)).toEqual([]);
  });

  it('refuses an input longer than it was declared', async () => {
    const { workDir, err } = await fetchInto(inputOf('app.txt', { sizeBytes: 5 }));
    expect((err as Error).message).toBe('could not fetch input build/app.txt: more than the 5 bytes expected');
    expect(readdirSync(workDir)).toEqual([]);
  });
});
