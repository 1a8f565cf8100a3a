// Preloaded into a daemon by tests only (NODE_OPTIONS=--import, see debug-gc.ts), never by the
// daemons themselves: on SIGUSR2 it runs a full garbage collection and logs what the process holds
// then, as a JSON line on stderr like the daemon's own ({"msg":"debug gc", …}).
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
v8.setFlagsFromString('--no-expose-gc');

process.on('SIGUSR2', () => {
  const before = process.memoryUsage();
  gc();
  const after = process.memoryUsage();
  const line = {
    msg: 'debug gc',
    heapUsedBefore: before.heapUsed,
    arrayBuffersBefore: before.arrayBuffers,
    heapUsed: after.heapUsed,
    heapTotal: after.heapTotal,
    external: after.external,
    arrayBuffers: after.arrayBuffers,
    // What the young generation keeps resident: it grows under a burst and shrinks only sometimes.
    youngGeneration: v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.physical_space_size ?? 0,
  };
  process.stderr.write(`${JSON.stringify(line)}\n`);
});
