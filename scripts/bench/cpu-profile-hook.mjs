// Preloaded into daemons by `pnpm bench --profile DIR` through NODE_OPTIONS=--import (Node 20 does
// not allow --cpu-prof in NODE_OPTIONS). Starts the V8 sampling profiler in-process and writes
// DIR/CPU.<pid>.cpuprofile when the process exits normally (SIGTERM -> process.exit included).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.MO_BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.setSamplingInterval', { interval: Number(process.env.MO_BENCH_PROFILE_INTERVAL_US ?? 200) });
  session.post('Profiler.enable');
  session.post('Profiler.start');
  // The in-process inspector session answers synchronously, so this works inside 'exit'.
  process.on('exit', () => {
    session.post('Profiler.stop', (err, res) => {
      if (err) return void process.stderr.write(`cpu-profile-hook: ${err.message}\n`);
      writeFileSync(join(dir, `CPU.${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  });
}
