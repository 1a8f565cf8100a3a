import { describe, expect, it } from '@jest/globals';
import { autoBlocks, daemonPortsOf, devDockerPorts, DEV_AUTO_BAND, slotsOf, spanOf } from './cluster-ports.js';

const range = (r: string) => r.split('-').map(Number) as [number, number];
const overlap = (a: string, b: string) => range(a)[0] <= range(b)[1] && range(b)[0] <= range(a)[1];

describe('devDockerPorts', () => {
  it("splits the block's base+300..base+999 between the agents without overlap", () => {
    expect(devDockerPorts(7600, 0, 1)).toBe('7900-8599');
    expect([0, 1].map((i) => devDockerPorts(7600, i, 2))).toEqual(['7900-8249', '8250-8599']);
    expect([0, 1, 2].map((i) => devDockerPorts(7600, i, 3))).toEqual(['7900-8132', '8133-8365', '8366-8598']);
    expect(devDockerPorts(7600, 99, 100)).toBe('8593-8599');
  });

  it('stays above the daemon ports of 100 agents and inside the span', () => {
    const daemons = daemonPortsOf(7600, 100).map((d) => d.port);
    expect(Math.max(...daemons)).toBeLessThan(range(devDockerPorts(7600, 0, 100))[0]);
    expect(range(devDockerPorts(7600, 99, 100))[1]).toBeLessThanOrEqual(spanOf(7600).last);
  });

  it.each([
    [7600, 8600],
    [7600, 9600],
    [10_000, 11_000],
    [20_050, 21_050],
  ])('gives clusters at %i and %i disjoint ranges', (a, b) => {
    for (const n of [1, 2, 5]) {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) expect(overlap(devDockerPorts(a, i, n), devDockerPorts(b, j, n))).toBe(false);
      }
    }
  });
});

describe('daemonPortsOf', () => {
  it('names each fixed port, and has none with --port-base 0', () => {
    expect(daemonPortsOf(7600, 1)).toEqual([
      { port: 7600, what: 'scheduler gRPC' },
      { port: 7601, what: 'scheduler HTTP' },
      { port: 7610, what: 'agent dev-0 gRPC' },
      { port: 7611, what: 'agent dev-0 HTTP' },
    ]);
    expect(daemonPortsOf(0, 3)).toEqual([]);
  });
});

describe('claim slots', () => {
  it('are the hundreds a span touches: overlapping spans share one, spans 1000 apart on hundreds do not', () => {
    expect(slotsOf(spanOf(7600))).toEqual([76, 77, 78, 79, 80, 81, 82, 83, 84, 85]);
    expect(slotsOf(spanOf(7650))).toHaveLength(11);
    const shared = (a: number, b: number) => slotsOf(spanOf(a)).some((s) => slotsOf(spanOf(b)).includes(s));
    expect(shared(7600, 7600)).toBe(true);
    expect(shared(7600, 8599)).toBe(true);
    expect(shared(7600, 8600)).toBe(false);
  });

  it('--port-base 0 blocks lie in the auto band, below the ephemeral ports', () => {
    const blocks = autoBlocks();
    expect(blocks[0]).toBe(DEV_AUTO_BAND.first);
    expect(spanOf(blocks.at(-1)!).last).toBeLessThanOrEqual(DEV_AUTO_BAND.last);
    expect(DEV_AUTO_BAND.last).toBeLessThan(32_768);
  });
});
