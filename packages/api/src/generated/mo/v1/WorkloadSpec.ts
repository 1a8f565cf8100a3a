// Original file: proto/mo/v1/workload.proto

import type { Resources as _mo_v1_Resources, Resources__Output as _mo_v1_Resources__Output } from '../../mo/v1/Resources.js';
import type { DockerSpec as _mo_v1_DockerSpec, DockerSpec__Output as _mo_v1_DockerSpec__Output } from '../../mo/v1/DockerSpec.js';
import type { ArtifactSpec as _mo_v1_ArtifactSpec, ArtifactSpec__Output as _mo_v1_ArtifactSpec__Output } from '../../mo/v1/ArtifactSpec.js';
import type { PortSpec as _mo_v1_PortSpec, PortSpec__Output as _mo_v1_PortSpec__Output } from '../../mo/v1/PortSpec.js';
import type { CheckSpec as _mo_v1_CheckSpec, CheckSpec__Output as _mo_v1_CheckSpec__Output } from '../../mo/v1/CheckSpec.js';
import type { Long } from '@grpc/proto-loader';

/**
 * What to run. argv is executed directly (execvp), never through a shell. At most 1 MiB encoded;
 * each field's limit is in README.md "Limits" (packages/api/src/limits.ts).
 */
export interface WorkloadSpec {
  /**
   * Sortable unique id (ULID). Empty on StartWorkload: the agent assigns one.
   */
  'id'?: (string);
  /**
   * Human name, optional; [a-z0-9][a-z0-9._-]{0,62}.
   */
  'name'?: (string);
  /**
   * argv[0] is the executable (absolute, relative to working_dir, or looked up in PATH).
   */
  'argv'?: (string)[];
  'env'?: ({[key: string]: string});
  /**
   * Absolute path; defaults to the workload's own directory under the agent's data dir.
   */
  'workingDir'?: (string);
  'resources'?: (_mo_v1_Resources | null);
  'labels'?: ({[key: string]: string});
  /**
   * SIGTERM, wait this long, then SIGKILL. 0 means the agent's default.
   */
  'gracePeriodMs'?: (number | string | Long);
  /**
   * "process" (default) or "docker".
   */
  'driver'?: (string);
  /**
   * The sandbox of a "docker" workload (required for it, refused for other drivers). argv runs
   * inside the image; working_dir is a path in the container (default: the image's).
   */
  'docker'?: (_mo_v1_DockerSpec | null);
  /**
   * Pipeline steps only: artifacts to upload after a successful exit, inputs to fetch before start.
   */
  'artifacts'?: (_mo_v1_ArtifactSpec | null);
  /**
   * Longest the workload may run, from its start; then it is stopped (SIGTERM, grace, SIGKILL) and
   * ends `failed` with reason "timed out after ...". 0 = no limit. Enforced by the agent, so it holds
   * while the scheduler is away and across agent restarts.
   */
  'timeoutMs'?: (number | string | Long);
  'lostAfterMs'?: (number | string | Long);
  /**
   * Most processes (threads included) a "process" workload may hold at once: its cgroup's pids.max,
   * on nodes whose NodeFacts.enforced_limits has "pids". 0 = no limit. Docker sandboxes take
   * docker.pids_limit instead (this field is refused for them).
   */
  'pidsLimit'?: (number | string | Long);
  /**
   * Who the workload runs as on its node: a user name ("alice", at most 32 characters of
   * [A-Za-z0-9._-], not starting with "-" or a digit, optionally ending in "$"), or "uid" or
   * "uid:gid" (decimal, 0-4294967294). The user must exist on the node (its /etc/passwd); a gid
   * given must be one of the user's groups there. Empty: the node agent's --default-user (nobody
   * on an agent that runs as root). A user the agent does not allow (--allowed-users; root only when
   * listed explicitly) is refused at start with FAILED_PRECONDITION naming spec.user, as is one
   * that does not exist there. The process driver drops to the user (its groups, gid, uid) just
   * before exec; a docker workload's container runs as its uid:gid with its groups added.
   */
  'user'?: (string);
  /**
   * Named host ports (a job's `ports`): the agent gives each a free port of its pool
   * when it starts the workload. A process gets $MO_PORT_<NAME> (the port) and $MO_ADDR_<NAME>
   * (host:port, the host being the node's address as the agent advertises it); a docker workload gets
   * each mapped to its container port `to` (then docker.network must be "bridge"). What each got
   * is WorkloadStatus.ports. At most 32.
   */
  'ports'?: (_mo_v1_PortSpec)[];
  /**
   * Health checks the agent runs against it while it runs (a job's `checks`); WorkloadStatus.health
   * and .checks say how they stand. At most 16.
   */
  'checks'?: (_mo_v1_CheckSpec)[];
  /**
   * How long the workload may be out of the scheduler's sight before it is given up. While its node
   * cannot be heard from it is `unknown`, not `lost`; past lost_after the scheduler declares it lost
   * (and replaces it per its restart policy), and the agent, cut off from the scheduler that long,
   * stops it itself, so two copies never run side by side for long. Unset: the scheduler's default
   * (30 s) on submit; on a start sent to an agent, unset means the agent never stops it on its own.
   * 0: at once. At most 30 days.
   */
  'lostAfter'?: "lostAfterMs";
}

/**
 * What to run. argv is executed directly (execvp), never through a shell. At most 1 MiB encoded;
 * each field's limit is in README.md "Limits" (packages/api/src/limits.ts).
 */
export interface WorkloadSpec__Output {
  /**
   * Sortable unique id (ULID). Empty on StartWorkload: the agent assigns one.
   */
  'id': (string);
  /**
   * Human name, optional; [a-z0-9][a-z0-9._-]{0,62}.
   */
  'name': (string);
  /**
   * argv[0] is the executable (absolute, relative to working_dir, or looked up in PATH).
   */
  'argv': (string)[];
  'env': ({[key: string]: string});
  /**
   * Absolute path; defaults to the workload's own directory under the agent's data dir.
   */
  'workingDir': (string);
  'resources': (_mo_v1_Resources__Output | null);
  'labels': ({[key: string]: string});
  /**
   * SIGTERM, wait this long, then SIGKILL. 0 means the agent's default.
   */
  'gracePeriodMs': (number);
  /**
   * "process" (default) or "docker".
   */
  'driver': (string);
  /**
   * The sandbox of a "docker" workload (required for it, refused for other drivers). argv runs
   * inside the image; working_dir is a path in the container (default: the image's).
   */
  'docker': (_mo_v1_DockerSpec__Output | null);
  /**
   * Pipeline steps only: artifacts to upload after a successful exit, inputs to fetch before start.
   */
  'artifacts': (_mo_v1_ArtifactSpec__Output | null);
  /**
   * Longest the workload may run, from its start; then it is stopped (SIGTERM, grace, SIGKILL) and
   * ends `failed` with reason "timed out after ...". 0 = no limit. Enforced by the agent, so it holds
   * while the scheduler is away and across agent restarts.
   */
  'timeoutMs': (number);
  'lostAfterMs'?: (number);
  /**
   * Most processes (threads included) a "process" workload may hold at once: its cgroup's pids.max,
   * on nodes whose NodeFacts.enforced_limits has "pids". 0 = no limit. Docker sandboxes take
   * docker.pids_limit instead (this field is refused for them).
   */
  'pidsLimit': (number);
  /**
   * Who the workload runs as on its node: a user name ("alice", at most 32 characters of
   * [A-Za-z0-9._-], not starting with "-" or a digit, optionally ending in "$"), or "uid" or
   * "uid:gid" (decimal, 0-4294967294). The user must exist on the node (its /etc/passwd); a gid
   * given must be one of the user's groups there. Empty: the node agent's --default-user (nobody
   * on an agent that runs as root). A user the agent does not allow (--allowed-users; root only when
   * listed explicitly) is refused at start with FAILED_PRECONDITION naming spec.user, as is one
   * that does not exist there. The process driver drops to the user (its groups, gid, uid) just
   * before exec; a docker workload's container runs as its uid:gid with its groups added.
   */
  'user': (string);
  /**
   * Named host ports (a job's `ports`): the agent gives each a free port of its pool
   * when it starts the workload. A process gets $MO_PORT_<NAME> (the port) and $MO_ADDR_<NAME>
   * (host:port, the host being the node's address as the agent advertises it); a docker workload gets
   * each mapped to its container port `to` (then docker.network must be "bridge"). What each got
   * is WorkloadStatus.ports. At most 32.
   */
  'ports': (_mo_v1_PortSpec__Output)[];
  /**
   * Health checks the agent runs against it while it runs (a job's `checks`); WorkloadStatus.health
   * and .checks say how they stand. At most 16.
   */
  'checks': (_mo_v1_CheckSpec__Output)[];
  /**
   * How long the workload may be out of the scheduler's sight before it is given up. While its node
   * cannot be heard from it is `unknown`, not `lost`; past lost_after the scheduler declares it lost
   * (and replaces it per its restart policy), and the agent, cut off from the scheduler that long,
   * stops it itself, so two copies never run side by side for long. Unset: the scheduler's default
   * (30 s) on submit; on a start sent to an agent, unset means the agent never stops it on its own.
   * 0: at once. At most 30 days.
   */
  'lostAfter'?: "lostAfterMs";
}
