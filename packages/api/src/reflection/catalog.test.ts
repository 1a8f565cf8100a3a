// What a server's reflection answers, decided from the generated descriptors: only what it
// serves, each file with its imports, every kind of symbol, NOT_FOUND with a bounded echo.
import { describe, expect, it } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import { truncateForError } from '../errors.js';
import { PROTO_FILES } from '../generated/reflection.js';
import { ReflectionCatalog } from './catalog.js';
import type { ReflectionAnswer } from './messages.js';

const AGENT = ['mo.v1.NodeAgent'];
const SCHEDULER = ['mo.v1.Scheduler', 'mo.v1.NodeRegistry', 'mo.v1.Pipelines', 'mo.v1.Jobs'];
const STANDARD = [
  'grpc.health.v1.Health',
  'grpc.reflection.v1.ServerReflection',
  'grpc.reflection.v1alpha.ServerReflection',
];

/** The names of the files an answer carries, by matching their bytes to the generated ones. */
function fileNames(answer: ReflectionAnswer): string[] {
  if (answer.kind !== 'files') throw new Error(`expected files, got ${JSON.stringify(answer)}`);
  return answer.files.map((b) => PROTO_FILES.find((f) => f.descriptor === b.toString('base64'))!.name);
}

describe('ReflectionCatalog', () => {
  it.each([
    ['an agent', AGENT, [...AGENT, ...STANDARD]],
    ['the scheduler', SCHEDULER, [...SCHEDULER, ...STANDARD]],
  ])('lists the services %s serves, and the standard ones', (_, services, listed) => {
    expect(new ReflectionCatalog(services).answer({ kind: 'list_services' })).toEqual({
      kind: 'services',
      names: listed,
    });
  });

  it('answers a file by name with the file first, then its imports, transitively, each once', () => {
    const c = new ReflectionCatalog(SCHEDULER);
    // scheduler.proto imports workload, node, agent (which imports workload and node), pipeline and jobs.
    expect(fileNames(c.answer({ kind: 'file_by_filename', name: 'mo/v1/scheduler.proto' }))).toEqual([
      'mo/v1/scheduler.proto',
      'mo/v1/workload.proto',
      'mo/v1/node.proto',
      'mo/v1/agent.proto',
      'mo/v1/pipeline.proto',
      'mo/v1/jobs.proto',
    ]);
    expect(fileNames(c.answer({ kind: 'file_by_filename', name: 'mo/v1/node.proto' }))).toEqual(['mo/v1/node.proto']);
  });

  it.each([
    ['a service', 'mo.v1.NodeAgent', 'mo/v1/agent.proto'],
    ['a method', 'mo.v1.NodeAgent.GetNodeStatus', 'mo/v1/agent.proto'],
    ['a message', 'mo.v1.WorkloadSpec', 'mo/v1/workload.proto'],
    ['a map entry', 'mo.v1.WorkloadSpec.EnvEntry', 'mo/v1/workload.proto'],
    ['a field', 'mo.v1.NodeFacts.cpu_model', 'mo/v1/node.proto'],
    ['an enum', 'mo.v1.WorkloadState', 'mo/v1/workload.proto'],
    ['an enum value', 'mo.v1.WORKLOAD_STATE_RUNNING', 'mo/v1/workload.proto'],
    ['a nested enum', 'grpc.health.v1.HealthCheckResponse.ServingStatus', 'grpc/health/v1/health.proto'],
    ['the health service', 'grpc.health.v1.Health', 'grpc/health/v1/health.proto'],
    ['the reflection service', 'grpc.reflection.v1.ServerReflection', 'grpc/reflection/v1/reflection.proto'],
    ['a name with a leading dot', '.mo.v1.NodeStatus', 'mo/v1/agent.proto'],
  ])('finds the file containing %s', (_, symbol, file) => {
    const answer = new ReflectionCatalog(AGENT).answer({ kind: 'file_containing_symbol', symbol });
    expect(fileNames(answer)[0]).toBe(file);
  });

  it('does not describe what the server does not serve', () => {
    const agent = new ReflectionCatalog(AGENT);
    expect(agent.answer({ kind: 'file_containing_symbol', symbol: 'mo.v1.Scheduler' })).toEqual({
      kind: 'error',
      code: status.NOT_FOUND,
      message: 'symbol "mo.v1.Scheduler" not found',
    });
    expect(agent.answer({ kind: 'file_by_filename', name: 'mo/v1/scheduler.proto' })).toMatchObject({
      kind: 'error',
      code: status.NOT_FOUND,
    });
  });

  it('cuts a caller string echoed in an error to 128 characters', () => {
    expect(truncateForError('x'.repeat(5000))).toHaveLength(128);
    const answer = new ReflectionCatalog(AGENT).answer({ kind: 'file_containing_symbol', symbol: 'x'.repeat(5000) });
    expect(answer).toEqual({
      kind: 'error',
      code: status.NOT_FOUND,
      message: `symbol "${truncateForError('x'.repeat(5000))}" not found`,
    });
  });

  it('has no extensions: numbers of a message are empty, anything else is NOT_FOUND', () => {
    const c = new ReflectionCatalog(AGENT);
    expect(c.answer({ kind: 'all_extension_numbers_of_type', type: 'mo.v1.WorkloadSpec' })).toEqual({
      kind: 'extension_numbers',
      baseTypeName: 'mo.v1.WorkloadSpec',
      numbers: [],
    });
    for (const type of ['mo.v1.WorkloadState', 'mo.v1.NodeAgent', 'mo.v1.Nope']) {
      expect(c.answer({ kind: 'all_extension_numbers_of_type', type })).toMatchObject({ code: status.NOT_FOUND });
    }
    expect(
      c.answer({ kind: 'file_containing_extension', containingType: 'mo.v1.WorkloadSpec', extensionNumber: 100 }),
    ).toMatchObject({ kind: 'error', code: status.NOT_FOUND });
  });

  it('refuses a service no generated .proto defines', () => {
    expect(() => new ReflectionCatalog(['mo.v1.Nope'])).toThrow('no generated .proto defines service mo.v1.Nope');
  });
});
