import { describe, expect, it } from '@jest/globals';
import { demandOf } from './demand.js';

describe('demandOf', () => {
  it('books one host port per published port, none for a process', () => {
    expect(demandOf({ cpuMillis: 500, memoryBytes: 1024 })).toEqual({
      cpuMillis: 500,
      memoryBytes: 1024,
      hostPorts: 0,
    });
    const docker = { image: 'i', network: 'bridge', writableRoot: false, ports: [80, 443], mounts: [], pidsLimit: 0 };
    expect(demandOf({ cpuMillis: 0, memoryBytes: 0, docker })).toEqual({ cpuMillis: 0, memoryBytes: 0, hostPorts: 2 });
  });
});
