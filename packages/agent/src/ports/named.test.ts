import { describe, expect, it } from '@jest/globals';
import { allocateNamedPorts, checkEndpoint, namedPortMappings, portEnv, type NamedPortRecord } from './named.js';
import { PortAllocator } from './pool.js';

const http: NamedPortRecord = { name: 'http', to: 0, hostPort: 3005, hostIp: '0.0.0.0' };
const admin: NamedPortRecord = { name: 'admin_ui', to: 8080, hostPort: 3006, hostIp: '0.0.0.0' };

describe('named ports', () => {
  it('tells a process its host port, a container its container port, and both where others reach them', () => {
    expect(portEnv([http, admin], '10.0.0.2')).toEqual({
      MO_PORT_HTTP: '3005',
      MO_ADDR_HTTP: '10.0.0.2:3005',
      MO_PORT_ADMIN_UI: '8080',
      MO_ADDR_ADMIN_UI: '10.0.0.2:3006',
    });
    expect(portEnv([http], '::1')).toMatchObject({ MO_ADDR_HTTP: '[::1]:3005' });
    expect(portEnv(undefined, '127.0.0.1')).toEqual({});
  });

  it('dials loopback unless the port is published on one address', () => {
    expect(checkEndpoint(http)).toEqual({ host: '127.0.0.1', port: 3005 });
    expect(checkEndpoint(admin)).toEqual({ host: '127.0.0.1', port: 3006 });
    expect(checkEndpoint({ ...admin, hostIp: '10.0.0.2' })).toEqual({ host: '10.0.0.2', port: 3006 });
  });

  it('lists them in the status with their names (container port 0 for a process)', () => {
    expect(namedPortMappings([http, admin])).toEqual([
      { name: 'http', containerPort: 0, hostPort: 3005, hostIp: '0.0.0.0' },
      { name: 'admin_ui', containerPort: 8080, hostPort: 3006, hostIp: '0.0.0.0' },
    ]);
  });

  it('takes them from the pool, and says which field found it empty', async () => {
    const pool = new PortAllocator(1, 65535, '127.0.0.1');
    // Ephemeral ports of the test's own: whatever is free here.
    const probe = new PortAllocator(40000, 40999, '127.0.0.1');
    const got = await allocateNamedPorts(probe, '0.0.0.0', [
      { name: 'a', to: 0 },
      { name: 'b', to: 0 },
    ]);
    expect(got.map((p) => p.name)).toEqual(['a', 'b']);
    expect(new Set(got.map((p) => p.hostPort)).size).toBe(2);
    expect(probe.inUse).toBe(2);
    expect(await allocateNamedPorts(pool, '0.0.0.0', [])).toEqual([]);
    const tiny = new PortAllocator(40998, 40998, '127.0.0.1');
    tiny.reserve([40998]);
    await expect(allocateNamedPorts(tiny, '0.0.0.0', [{ name: 'a', to: 0 }])).rejects.toThrow(
      /^spec\.ports: no free host port in 40998-40998/,
    );
  });
});
