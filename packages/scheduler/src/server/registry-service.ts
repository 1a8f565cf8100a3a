// The NodeRegistry gRPC service: agents register (facts, capacity, the first inventory page),
// send the rest of their inventory by SyncInventory, and then keep one heartbeat stream open.
// Registration reconciles the node's inventory with the scheduler's view and answers with the
// allocations it must stop (fencing). Everything a node sends is validated (registry/
// validate-node.ts) and bounded: pages by count, registrations per source address and each
// heartbeat stream's messages and changes by token buckets (RESOURCE_EXHAUSTED past them). An
// agent acts only as its own node (registry/binding.ts): the caller comes from `callerOf`.
import * as grpc from '@grpc/grpc-js';
import {
  FailedPreconditionError,
  HEARTBEAT_STREAM_LIMITS,
  InvalidArgumentError,
  KeyedRateLimiter,
  NotFoundError,
  ResourceExhaustedError,
  TokenBucket,
  moProto,
  StreamLimits,
  statusName,
  toServiceError,
  unaryHandler,
  type HeartbeatRequest__Output,
  type HeartbeatResponse,
  type Logger,
  type NodeRegistryHandlers,
  type RateLimit,
  type RegisterRequest__Output,
  type RegisterResponse,
  type SyncInventoryRequest__Output,
  type SyncInventoryResponse,
} from '@mo/api';
import { nodeBindingError, registerBindingError, type NodeCaller } from '../registry/binding.js';
import { InventorySyncs } from '../registry/inventory-sync.js';
import type { NodeTable } from '../registry/nodes.js';
import { peerHost } from '../registry/peer.js';
import {
  NODE_ID_RE,
  validateInventoryPage,
  validateNodeMetrics,
  validateRegistration,
} from '../registry/validate-node.js';
import type { WorkloadManager } from '../workloads/manager.js';
import type { ArtifactHandlers } from './artifact-handlers.js';
import type { ServerCall } from './server-call.js';

export interface RegistryServiceContext {
  nodes: NodeTable;
  manager: WorkloadManager;
  logger: Logger;
  /** Persists a node record (registration, state changes). */
  saveNode: (id: string) => void;
  /** Pipeline artifact upload/download (server/artifact-handlers.ts). */
  artifacts: ArtifactHandlers;
  /** Registrations per source address; undefined: unlimited. */
  registerRate?: RateLimit;
  /** Per heartbeat stream (default HEARTBEAT_STREAM_LIMITS). */
  heartbeatLimits?: { messages: RateLimit; changes: RateLimit };
  onRequest?: (method: string, code: string) => void;
  /** Caps on open streams (kind 'heartbeat': one per node); default StreamLimits' defaults. */
  streams?: StreamLimits;
  /** Who is calling (an agent certificate's node); default: no identities (--insecure). */
  callerOf?: (call: ServerCall) => NodeCaller;
  /** This leader's epoch, on every answer (agents obey no older one's stops); default 0. */
  leaderEpoch?: number;
}

const DEFAULT_LIMITS = new StreamLimits();

export class RegistryService {
  private readonly syncs = new InventorySyncs();
  private readonly registerLimiter: KeyedRateLimiter | undefined;
  /** On every answer to an agent (0: a single scheduler). */
  private readonly leaderEpoch: number;

  constructor(private readonly ctx: RegistryServiceContext) {
    this.registerLimiter = ctx.registerRate ? new KeyedRateLimiter(ctx.registerRate) : undefined;
    this.leaderEpoch = ctx.leaderEpoch ?? 0;
  }

  addToServer(server: grpc.Server): void {
    server.addService(moProto().mo.v1.NodeRegistry.service, this.handlers());
  }

  private handlers(): NodeRegistryHandlers {
    return {
      Register: this.counted('Register', (req: RegisterRequest__Output, call) =>
        this.register(req, peerHost(call.getPeer()), this.callerOf(call)),
      ),
      SyncInventory: this.counted('SyncInventory', (req: SyncInventoryRequest__Output, call) =>
        this.syncInventory(req, this.callerOf(call)),
      ),
      Heartbeat: (call) => this.heartbeat(call),
      ...this.ctx.artifacts,
    };
  }

  private callerOf(call: ServerCall): NodeCaller {
    return this.ctx.callerOf?.(call) ?? { kind: 'insecure' };
  }

  /** countedUnary, with the call (for its peer). */
  private counted<Req, Res>(
    method: string,
    fn: (req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Res,
  ): grpc.handleUnaryCall<Req, Res> {
    return unaryHandler<Req, Res>((req, call) => {
      try {
        const res = fn(req, call);
        this.ctx.onRequest?.(method, 'OK');
        return res;
      } catch (err) {
        this.ctx.onRequest?.(method, statusName(toServiceError(err).code ?? grpc.status.UNKNOWN));
        throw err;
      }
    });
  }

  private register(req: RegisterRequest__Output, source: string, caller: NodeCaller): RegisterResponse {
    const { nodes, manager, logger } = this.ctx;
    const now = Date.now();
    if (this.registerLimiter && !this.registerLimiter.take(source, now)) {
      const { ratePerSecond, burst } = this.registerLimiter.limit;
      throw new ResourceExhaustedError(
        `registrations from ${source.slice(0, 64)}: more than ${ratePerSecond}/s (burst ${burst}); retry later`,
      );
    }
    const v = validateRegistration(req);
    const before = nodes.get(v.nodeId);
    const refused = registerBindingError(caller, v, before);
    if (refused) throw refused;
    const node = nodes.register(
      {
        id: v.nodeId,
        name: v.nodeName,
        address: v.address,
        labels: v.labels,
        facts: v.facts,
        capacity: v.capacity,
        registeredAtMs: before?.registeredAtMs ?? now,
      },
      v.metrics,
      now,
      req.takesBusyTiming === true,
    );
    this.ctx.saveNode(node.id);
    let stop: string[];
    let registrationId = '';
    if (req.inventoryFollows) {
      // Missing workloads are judged once the last page is in (SyncInventory).
      registrationId = this.syncs.begin(node.id, idsOf(req.inventory), now);
      stop = manager.reconcilePage(node, req.inventory);
    } else {
      this.syncs.discard(node.id);
      stop = manager.reconcile(node, req.inventory);
    }
    this.syncs.expire(now);
    logger.info(before ? 'node registered again' : 'node registered', {
      node: node.name,
      id: node.id,
      address: node.address,
      inventory: req.inventory.length,
      ...(req.inventoryFollows ? { morePages: true } : {}),
      fenced: stop.length,
    });
    const timing = nodes.answer(node.id, now) ?? nodes.timing(node.id);
    const busy = nodes.timing();
    return {
      nodeId: node.id,
      heartbeatIntervalMs: timing.heartbeatIntervalMs,
      downAfterMs: timing.downAfterMs,
      stopAllocationIds: stop,
      registrationId,
      leaderEpoch: this.leaderEpoch,
      busyHeartbeatIntervalMs: busy.heartbeatIntervalMs,
      busyDownAfterMs: busy.downAfterMs,
    };
  }

  private syncInventory(req: SyncInventoryRequest__Output, caller: NodeCaller): SyncInventoryResponse {
    const { nodes, manager, logger } = this.ctx;
    const now = Date.now();
    if (!NODE_ID_RE.test(req.nodeId)) throw new InvalidArgumentError('node_id', `must match ${NODE_ID_RE.source}`);
    validateInventoryPage('inventory', req.inventory.length);
    const node = nodes.get(req.nodeId);
    const refused = nodeBindingError(caller, req.nodeId, node);
    if (refused) throw refused;
    if (!node || node.state !== 'up') {
      this.syncs.discard(req.nodeId);
      throw new FailedPreconditionError(`node_id: node ${req.nodeId} is not registered (or went down); register again`);
    }
    this.syncs.check(node.id, req.registrationId, now);
    const outcome = this.syncs.page(node.id, idsOf(req.inventory), req.inventoryFollows, now);
    // A page is a sign of life: a large inventory must not let the node's deadline pass.
    nodes.heartbeat(node.id, null, now);
    const stop = manager.reconcilePage(node, req.inventory);
    if (outcome.done) {
      manager.reconcileMissing(node, outcome.seen);
      logger.info('node inventory complete', { node: node.name, id: node.id, inventory: outcome.seen.size });
    }
    return { stopAllocationIds: stop, leaderEpoch: this.leaderEpoch };
  }

  private heartbeat(call: grpc.ServerDuplexStream<HeartbeatRequest__Output, HeartbeatResponse>): void {
    const { nodes, manager, logger } = this.ctx;
    if (!(this.ctx.streams ?? DEFAULT_LIMITS).admit('heartbeat', call)) {
      return this.ctx.onRequest?.('Heartbeat', 'RESOURCE_EXHAUSTED');
    }
    const limits = this.ctx.heartbeatLimits ?? HEARTBEAT_STREAM_LIMITS;
    const opened = Date.now();
    const messages = new TokenBucket(limits.messages, opened);
    const changes = new TokenBucket(limits.changes, opened);
    const caller = this.callerOf(call);
    let nodeId = '';
    let failed = false;
    const fail = (err: unknown) => {
      failed = true;
      this.ctx.onRequest?.('Heartbeat', statusName(toServiceError(err).code ?? grpc.status.UNKNOWN));
      call.emit('error', toServiceError(err));
    };
    call.on('data', (msg: HeartbeatRequest__Output) => {
      if (failed) return;
      const now = Date.now();
      try {
        if (!messages.take(now)) {
          throw new ResourceExhaustedError(
            `heartbeat stream: more than ${limits.messages.ratePerSecond} messages/s (burst ${limits.messages.burst}); register again`,
          );
        }
        validateInventoryPage('changes', msg.changes.length);
        if (!changes.take(now, msg.changes.length)) {
          throw new ResourceExhaustedError(
            `heartbeat stream: more than ${limits.changes.ratePerSecond} changes/s (burst ${limits.changes.burst}); register again`,
          );
        }
        if (msg.metrics) validateNodeMetrics(msg.metrics);
      } catch (err) {
        if (nodeId) logger.warn('heartbeat stream refused', { node: nodeId, error: (err as Error).message });
        fail(err);
        return;
      }
      if (!nodeId) {
        const node = nodes.get(msg.nodeId);
        const refused = nodeBindingError(caller, msg.nodeId, node);
        if (refused) {
          fail(refused);
          return;
        }
        // Unknown or down: the agent must register (again) first, with its inventory.
        if (!node || node.state !== 'up') {
          fail(new NotFoundError('node_id', 'registered node', msg.nodeId || '(empty)'));
          return;
        }
        if (this.syncs.isOpen(node.id, now)) {
          fail(new FailedPreconditionError(`node ${node.name}: its inventory pages are not all in; register again`));
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
      // The timing of what the node has now (these changes applied): idle nodes beat slower.
      // With the busy timing, which an agent takes up by itself when it starts work (no message
      // to ask first: a short job costs one heartbeat message, its changes, not two).
      const timing = nodes.answer(nodeId, now) ?? nodes.timing(nodeId);
      const busy = nodes.timing();
      call.write({
        heartbeatIntervalMs: timing.heartbeatIntervalMs,
        downAfterMs: timing.downAfterMs,
        stopAllocationIds: stop,
        leaderEpoch: this.leaderEpoch,
        busyHeartbeatIntervalMs: busy.heartbeatIntervalMs,
        busyDownAfterMs: busy.downAfterMs,
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

function idsOf(inventory: readonly { spec?: { id?: string } | null }[]): string[] {
  const ids: string[] = [];
  for (const s of inventory) if (s.spec?.id) ids.push(s.spec.id);
  return ids;
}
