// Roles read from certificate SANs: exactly one mo role per certificate, or it is refused.
import { describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { MoError } from '../errors.js';
import {
  accessIncludes,
  describeIdentity,
  dnsNamesOf,
  identityFromSans,
  roleSans,
  type Access,
  type CertRole,
  type Identity,
} from './identity.js';

describe('identityFromSans', () => {
  it.each<[string[], string | undefined, CertRole]>([
    [['scheduler.mo'], 'scheduler', { kind: 'scheduler' }],
    [['scheduler.mo', 'sched.example.org'], undefined, { kind: 'scheduler' }],
    [['agent.n1.mo', 'agent.mo'], 'agent n1', { kind: 'agent', node: 'n1' }],
    [['agent.rack-2.host_3.mo'], undefined, { kind: 'agent', node: 'rack-2.host_3' }],
    [['client.mo', 'operate.client.mo'], 'alice', { kind: 'client', name: 'alice', access: 'operate' }],
    [['read.client.mo', 'client.mo'], 'ci@build', { kind: 'client', name: 'ci@build', access: 'read' }],
  ])('%j (CN %s) is %j', (sans, cn, role) => {
    expect(identityFromSans(sans, cn)).toEqual(role);
  });

  it.each<[string[], string | undefined, RegExp]>([
    [[], 'x', /carries no mo role \(DNS SANs: none\)/],
    [['example.org', 'agent.mo'], 'x', /no mo role \(DNS SANs: example\.org, agent\.mo\)/],
    [['scheduler.mo', 'agent.n1.mo'], 'x', /carries 2 mo roles, expected one/],
    [['agent.n1.mo', 'agent.n2.mo'], 'x', /carries 2 mo roles/],
    [['client.mo'], 'alice', /exactly one access SAN .* has none/],
    [
      ['client.mo', 'read.client.mo', 'admin.client.mo'],
      'alice',
      /exactly one access SAN .* has read\.client\.mo, admin\.client\.mo/,
    ],
    [['client.mo', 'root.client.mo'], 'alice', /exactly one access SAN/],
    [['client.mo', 'read.client.mo'], undefined, /no usable CN/],
    [['client.mo', 'read.client.mo', 'scheduler.mo'], 'alice', /2 mo roles/],
    [['agent.a/b.mo'], 'x', /no mo role/],
  ])('refuses %j (CN %s): UNAUTHENTICATED naming what it had', (sans, cn, message) => {
    let err: unknown;
    try {
      identityFromSans(sans, cn);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MoError);
    expect((err as MoError).code).toBe(grpc.status.UNAUTHENTICATED);
    expect((err as MoError).message).toMatch(message);
  });

  it('cuts what it echoes: a certificate with 1,000 long SANs makes a short error', () => {
    const sans = Array.from({ length: 1000 }, (_, i) => `${'x'.repeat(500)}${i}.example.org`);
    expect(() => identityFromSans(sans, 'x')).toThrow(/… \(1000\)\)$/);
    try {
      identityFromSans(sans, 'x');
    } catch (e) {
      expect((e as Error).message.length).toBeLessThan(1000);
    }
  });

  it('round-trips what roleSans writes', () => {
    const roles: CertRole[] = [
      { kind: 'scheduler' },
      { kind: 'agent', node: 'n1' },
      { kind: 'client', name: 'bob', access: 'admin' },
    ];
    for (const r of roles) expect(identityFromSans(roleSans(r), r.kind === 'client' ? r.name : undefined)).toEqual(r);
    expect(() => roleSans({ kind: 'agent', node: '../x' })).toThrow(/^node:/);
    expect(() => roleSans({ kind: 'client', name: 'a', access: 'root' as Access })).toThrow(/^access:/);
  });
});

describe('dnsNamesOf', () => {
  it('reads the DNS names of a subjectaltname string, quoted ones too, and skips other kinds', () => {
    expect(dnsNamesOf('DNS:scheduler.mo, IP Address:127.0.0.1, DNS:"a,b.example", URI:x')).toEqual([
      'scheduler.mo',
      'a,b.example',
    ]);
    expect(dnsNamesOf(undefined)).toEqual([]);
  });
});

describe('describeIdentity and access', () => {
  it.each<[Identity, string]>([
    [{ kind: 'scheduler' }, 'scheduler'],
    [{ kind: 'agent', node: 'n1' }, 'agent:n1'],
    [{ kind: 'client', name: 'alice', access: 'read' }, 'client:alice'],
    [{ kind: 'token', name: 'ci', access: 'operate', tokenId: 't1' }, 'token:ci'],
    [{ kind: 'insecure' }, 'insecure'],
  ])('%j is %s', (i, text) => expect(describeIdentity(i)).toBe(text));

  it('orders access: admin ⊃ operate ⊃ read', () => {
    expect(accessIncludes('admin', 'read')).toBe(true);
    expect(accessIncludes('operate', 'operate')).toBe(true);
    expect(accessIncludes('operate', 'admin')).toBe(false);
    expect(accessIncludes('read', 'operate')).toBe(false);
  });
});
