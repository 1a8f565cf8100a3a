// The NodeRegistry gRPC service: agents register (facts, capacity, inventory) and then keep one
// heartbeat stream open. Registration reconciles the node's inventory with the scheduler's view
// and answers with the allocations it must stop (fencing).
import * as grpc from '@grpc/grpc-js';
import {
  countedUnary,
  InvalidArgumentError,
  NotFoundError,
  moProto,
  StreamLimits,
  statusName,
  toServiceError,
  validateLabels,
  validateResources,
  type HeartbeatRequest__Output,
  type HeartbeatResponse,
  type Logger,
  type NodeRegistryHandlers,
  type RegisterRequest__Output,
  type RegisterResponse,
} from '@mo/api';
import { parseAddress } from '@mo/api';
import type { NodeTable } from '../registry/nodes.js';
import type { WorkloadManager } from '../workloads/manager.js';
import type { ArtifactHandlers } from './artifact-handlers.js';
import { NODE_NAME_RE } from '../workloads/validate.js';

export interface RegistryServiceContext {
  nodes: NodeTable;
  manager: WorkloadManager;
  logger: Logger;
  /** Persists a node record (registration, state changes). */
  saveNode: (id: string) => void;
  /** Pipeline artifact upload/download (server/artifact-handlers.ts). */
  artifacts: ArtifactHandlers;
  onRequest?: (method: string, code: string) => void;
  /** Caps on open streams (kind 'heartbeat': one per node); default StreamLimits' defaults. */
  streams?: StreamLimits;
}

const NODE_ID_RE = /^[0-9A-Za-z][0-9A-Za-z_-]{0,63}$/;
const MAX_INVENTORY = 100_000;
const DEFAULT_LIMITS = new StreamLimits();

export class RegistryService {
  constructor(private readonly ctx: RegistryServiceContext) {}

  addToServer(server: grpc.Server): void {
    server.addService(moProto().mo.v1.NodeRegistry.service, this.handlers());
  }

  private handlers(): NodeRegistryHandlers {
    return {
      Register: countedUnary(this.ctx.onRequest)('Register', async (req: RegisterRequest__Output) =>
        this.register(req),
      ),
      Heartbeat: (call) => this.heartbeat(call),
      ...this.ctx.artifacts,
    };
  }

  private register(req: RegisterRequest__Output): RegisterResponse {
    const { nodes, manager, logger } = this.ctx;
    if (!NODE_ID_RE.test(req.nodeId)) throw new InvalidArgumentError('node_id', `must match ${NODE_ID_RE.source}`);
    if (!NODE_NAME_RE.test(req.nodeName)) {
      throw new InvalidArgumentError(
        'node_name',
        `must match ${NODE_NAME_RE.source}, got ${JSON.stringify(req.nodeName)}`,
      );
    }
    try {
      parseAddress(req.address);
    } catch {
      throw new InvalidArgumentError('address', `must be host:port, got ${JSON.stringify(req.address)}`);
    }
    const labels = validateLabels(req.labels ?? {}, 'labels');
    const capacity = {
      ...validateResources('capacity', req.capacity),
      hostPorts: hostPortCapacity(req.capacity?.hostPorts),
    };
    if (req.inventory.length > MAX_INVENTORY) {
      throw new InvalidArgumentError('inventory', `has ${req.inventory.length} entries, at most ${MAX_INVENTORY}`);
    }
    const now = Date.now();
    const before = nodes.get(req.nodeId);
    const node = nodes.register(
      {
        id: req.nodeId,
        name: req.nodeName,
        address: req.address,
        labels,
        facts: req.facts,
        capacity,
        registeredAtMs: before?.registeredAtMs ?? now,
      },
      req.metrics,
      now,
    );
    this.ctx.saveNode(node.id);
    const stop = manager.reconcile(node, req.inventory);
    logger.info(before ? 'node registered again' : 'node registered', {
      node: node.name,
      id: node.id,
      address: node.address,
      inventory: req.inventory.length,
      fenced: stop.length,
    });
    const timing = nodes.timing();
    return {
      nodeId: node.id,
      heartbeatIntervalMs: timing.heartbeatIntervalMs,
      downAfterMs: timing.downAfterMs,
      stopAllocationIds: stop,
    };
  }

  private heartbeat(call: grpc.ServerDuplexStream<HeartbeatRequest__Output, HeartbeatResponse>): void {
    const { nodes, manager, logger } = this.ctx;
    if (!(this.ctx.streams ?? DEFAULT_LIMITS).admit('heartbeat', call)) {
      return this.ctx.onRequest?.('Heartbeat', 'RESOURCE_EXHAUSTED');
    }
    let nodeId = '';
    const fail = (err: unknown) => {
      this.ctx.onRequest?.('Heartbeat', statusName(toServiceError(err).code ?? grpc.status.UNKNOWN));
      call.emit('error', toServiceError(err));
    };
    call.on('data', (msg: HeartbeatRequest__Output) => {
      const now = Date.now();
      if (!nodeId) {
        const node = nodes.get(msg.nodeId);
        // Unknown or down: the agent must register (again) first, with its inventory.
        if (!node || node.state !== 'up') {
          fail(new NotFoundError('node_id', 'registered node', msg.nodeId || '(empty)'));
          return;
        }
        nodeId = node.id;
        nodes.setStreaming(nodeId, true);
      }
      const node = nodes.heartbeat(nodeId, msg.metrics, now);
      if (!node) {
        fail(new NotFoundError('node_id', 'live node', nodeId));
        return;
      }
      const stop: string[] = [];
      for (const status of msg.changes) {
        if (manager.report(nodeId, status) === 'stop' && status.spec?.id) stop.push(status.spec.id);
      }
      // Every heartbeat is answered: the answer is the agent's proof that it is heard, and an agent
      // that stops getting them stops its workloads after their lost_after (self-fencing).
      const timing = nodes.timing();
      call.write({
        heartbeatIntervalMs: timing.heartbeatIntervalMs,
        downAfterMs: timing.downAfterMs,
        stopAllocationIds: stop,
      });
    });
    const closed = () => {
      if (!nodeId) return;
      const node = nodes.get(nodeId);
      if (node?.state === 'up') logger.warn('heartbeat stream closed', { node: node.name });
      nodes.setStreaming(nodeId, false);
      nodeId = '';
    };
    call.on('end', () => {
      closed();
      call.end();
    });
    call.on('error', closed);
    call.on('cancelled', closed);
  }
}

/** A node's host-port capacity: the size of its docker port range, at most every TCP port. */
function hostPortCapacity(n: number | undefined): number {
  const v = n ?? 0;
  if (!Number.isInteger(v) || v < 0 || v > 65535) {
    throw new InvalidArgumentError('capacity.host_ports', `must be an integer within 0..65535, got ${v}`);
  }
  return v;
}
