// Who a caller is, as every mo daemon sees it. The shape is issue 13's shared decision; the TLS
// piece owns it in ./identity.ts (with identityFromCertificate). Until that file is merged, this
// one holds exactly the agreed shape so bearer tokens and the access table can be built against
// it: when both are on main, this file becomes `export * from './identity.js'`.

/** What a client may do: admin ⊃ operate ⊃ read. */
export type Access = 'read' | 'operate' | 'admin';

export type Identity =
  | { kind: 'scheduler' } // certificate SAN scheduler.mo
  | { kind: 'agent'; node: string } // SAN agent.<node-name>.mo
  | { kind: 'client'; name: string; access: Access } // SAN client.mo + <access>.client.mo, CN = name
  | { kind: 'token'; name: string; access: Access; tokenId: string } // bearer token
  | { kind: 'insecure' }; // daemon started with --insecure

/** 'scheduler' | 'agent:n1' | 'client:alice' | 'token:ci' | 'insecure' (audit lines, errors, approvals). */
export function describeIdentity(i: Identity): string {
  switch (i.kind) {
    case 'scheduler':
    case 'insecure':
      return i.kind;
    case 'agent':
      return `agent:${i.node}`;
    case 'client':
    case 'token':
      return `${i.kind}:${i.name}`;
  }
}
