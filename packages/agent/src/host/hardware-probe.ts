// The agent's one-shot hardware probe, run as a child process (see facts.ts): asks
// systeminformation for the hardware and OS facts and prints them as one JSON line on stdout.
// systeminformation adds ~11 MiB to a Node process's RSS and is needed once, at start-up, so the
// agent never loads it itself.
import si from 'systeminformation';

/** What the probe prints: the subset of systeminformation's answers HostFacts is built from. */
export interface HardwareProbe {
  cpu: { manufacturer: string; brand: string; cores: number };
  mem: { total: number };
  os: { distro: string; release: string; kernel: string; arch: string };
}

const [cpu, mem, os] = await Promise.all([si.cpu(), si.mem(), si.osInfo()]);
const probe: HardwareProbe = {
  cpu: { manufacturer: cpu.manufacturer, brand: cpu.brand, cores: cpu.cores },
  mem: { total: mem.total },
  os: { distro: os.distro, release: os.release, kernel: os.kernel, arch: os.arch },
};
process.stdout.write(JSON.stringify(probe) + '\n');
