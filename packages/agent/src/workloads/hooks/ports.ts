// The ports hook: a workload's named ports (allocated by the runner when it starts, kept in its
// record) in its environment, $MO_PORT_<NAME> and $MO_ADDR_<NAME> (ports/named.ts), and handed to
// the driver, which publishes them for a container. After the environment hook: on the wire a
// spec.env that sets these too is overridden, the agent's values win (a job file refuses them).
import { newStringMap } from '@mo/api';
import type { TaskConfig } from '../../drivers/driver.js';
import { portEnv } from '../../ports/named.js';
import type { WorkloadRecord } from '../record.js';
import type { WorkloadHook } from './hook.js';

export class PortsHook implements WorkloadHook {
  readonly name = 'ports';

  /** `addressHost`: the host of the agent's advertised address (MO_ADDR_*). */
  constructor(private readonly addressHost: string) {}

  configure(record: WorkloadRecord, config: TaskConfig): void {
    if (!record.ports?.length) return;
    config.env = newStringMap([
      ...Object.entries(config.env),
      ...Object.entries(portEnv(record.ports, this.addressHost)),
    ]);
    config.ports = record.ports;
  }
}
