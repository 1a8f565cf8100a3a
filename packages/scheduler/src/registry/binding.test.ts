import { describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { nodeBindingError, registerBindingError, type NodeCaller } from './binding.js';

const a: NodeCaller = { kind: 'agent', node: 'node-a' };
const code = (e: { code: number } | undefined) => (e ? grpc.status[e.code] : 'OK');

describe('registerBindingError', () => {
  it('lets an agent register as itself, under its known id or a new one', () => {
    expect(code(registerBindingError(a, { nodeId: 'ID-A', nodeName: 'node-a' }, undefined))).toBe('OK');
    expect(code(registerBindingError(a, { nodeId: 'ID-A', nodeName: 'node-a' }, { id: 'ID-A', name: 'node-a' }))).toBe(
      'OK',
    );
  });

  it("refuses another node's name, and another node's id", () => {
    const asB = registerBindingError(a, { nodeId: 'ID-X', nodeName: 'node-b' }, undefined);
    expect(code(asB)).toBe('PERMISSION_DENIED');
    expect(asB!.message).toMatch(/agent "node-a" may register only as itself, not as node "node-b"/);
    const stealId = registerBindingError(a, { nodeId: 'ID-B', nodeName: 'node-a' }, { id: 'ID-B', name: 'node-b' });
    expect(code(stealId)).toBe('PERMISSION_DENIED');
    expect(stealId!.message).toMatch(/node id ID-B belongs to node "node-b"/);
  });

  it('checks nothing without identities (--insecure)', () => {
    expect(
      code(registerBindingError({ kind: 'insecure' }, { nodeId: 'ID-B', nodeName: 'x' }, { id: 'ID-B', name: 'y' })),
    ).toBe('OK');
  });
});

describe('nodeBindingError', () => {
  it("allows the node's own certificate, refuses another's, leaves unknown ids to NOT_FOUND", () => {
    expect(code(nodeBindingError(a, 'ID-A', { id: 'ID-A', name: 'node-a' }))).toBe('OK');
    expect(code(nodeBindingError(a, 'ID-B', { id: 'ID-B', name: 'node-b' }))).toBe('PERMISSION_DENIED');
    expect(code(nodeBindingError(a, 'ID-Z', undefined))).toBe('OK');
    expect(code(nodeBindingError({ kind: 'insecure' }, 'ID-B', { id: 'ID-B', name: 'node-b' }))).toBe('OK');
  });
});
