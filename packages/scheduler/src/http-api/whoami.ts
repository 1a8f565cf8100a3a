// GET /api/v1/whoami: who the scheduler takes the caller for, and its access, so a page (the
// dashboard) offers only the actions the caller may take. The server decides each call anyway.
import { describeIdentity, type Access, type Identity } from '@mo/api';
import { route, type Route } from './api.js';
import { sendJson } from './errors.js';

/** The access an identity has over the client API: a daemon's own roles read; --insecure: all. */
export function accessOf(identity: Identity): Access {
  if (identity.kind === 'client' || identity.kind === 'token') return identity.access;
  return identity.kind === 'insecure' ? 'admin' : 'read';
}

export function whoamiRoutes(): Route[] {
  return [
    route<object>({
      method: 'GET',
      path: '/api/v1/whoami',
      // Any caller that may read the cluster may ask who it is.
      rpc: '/mo.v1.Scheduler/GetClusterStatus',
      request: () => ({}),
      respond: (_m, { res, identity }) => {
        sendJson(res, 200, JSON.stringify({ identity: describeIdentity(identity), access: accessOf(identity) }));
        return undefined;
      },
    }),
  ];
}
