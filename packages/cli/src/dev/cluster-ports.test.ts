import { describe, expect, it } from '@jest/globals';
import { devDockerPorts } from './cluster.js';

describe('devDockerPorts', () => {
  it('splits 3001-4000 between the agents without overlap', () => {
    expect(devDockerPorts(0, 1)).toBe('3001-4000');
    expect([0, 1].map((i) => devDockerPorts(i, 2))).toEqual(['3001-3500', '3501-4000']);
    expect([0, 1, 2].map((i) => devDockerPorts(i, 3))).toEqual(['3001-3333', '3334-3666', '3667-3999']);
    expect(devDockerPorts(99, 100)).toBe('3991-4000');
  });
});
