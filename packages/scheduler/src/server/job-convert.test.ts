// Where a reverse proxy reaches a service's instance: the node's advertised host and the instance's
// named ports, `address` from the first by name.
import { describe, expect, it } from '@jest/globals';
import { workloadRecord } from '../testing/records.js';
import { hostOfAddress, toServiceInstance } from './job-convert.js';

const job = { name: 'web', version: 2, index: 1, attempt: 1 };

describe('toServiceInstance', () => {
  it('dials the first named port by name on the node host', () => {
    const r = workloadRecord({
      state: 'running',
      job,
      health: 'healthy',
      ports: [
        { name: 'metrics', containerPort: 0, hostPort: 31001, hostIp: '' },
        { name: 'http', containerPort: 0, hostPort: 31000, hostIp: '' },
      ],
    });
    expect(toServiceInstance(r, () => '10.0.0.5')).toMatchObject({
      version: 2,
      index: 1,
      health: 'HEALTH_HEALTHY',
      state: 'WORKLOAD_STATE_RUNNING',
      host: '10.0.0.5',
      ports: [
        { name: 'http', hostPort: 31000 },
        { name: 'metrics', hostPort: 31001 },
      ],
      address: '10.0.0.5:31000',
    });
  });

  it('brackets an IPv6 host; without named ports there is no address', () => {
    const withPort = workloadRecord({ job, ports: [{ name: 'http', containerPort: 0, hostPort: 80, hostIp: '' }] });
    expect(toServiceInstance(withPort, () => 'fd00::1').address).toBe('[fd00::1]:80');
    expect(toServiceInstance(workloadRecord({ job }), () => 'h').address).toBe('');
  });

  it("reads a node's host from its address", () => {
    expect(hostOfAddress('10.1.2.3:7602')).toBe('10.1.2.3');
    expect(hostOfAddress('[fd00::1]:7602')).toBe('fd00::1');
    expect(hostOfAddress(undefined)).toBe('');
  });
});
