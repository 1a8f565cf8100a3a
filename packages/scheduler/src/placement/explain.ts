// Explanations: turn counted rejections into the sentence `mo status` shows for a pending workload,
// e.g. "3 nodes: 2 lacked memory, 1 down".
import { CHECK_ORDER } from './feasibility.js';
import type { RejectionReason } from './types.js';

export function zeroCounts(): Record<RejectionReason, number> {
  return { node_name: 0, down: 0, ineligible: 0, avoided: 0, driver: 0, constraint: 0, cpu: 0, memory: 0, ports: 0 };
}

function phrase(reason: RejectionReason, driver: string): string {
  switch (reason) {
    case 'down':
      return 'down';
    case 'ineligible':
      return 'ineligible';
    case 'avoided':
      return 'avoided after failed starts';
    case 'driver':
      return `lacked driver "${driver}"`;
    case 'constraint':
      return 'did not match constraints';
    case 'node_name':
      return 'not the requested node';
    case 'cpu':
      return 'lacked cpu';
    case 'memory':
      return 'lacked memory';
    case 'ports':
      return 'lacked host ports';
  }
}

/**
 * "N nodes: a reason1, b reason2" with counts in descending order (ties in check order). When no
 * node has the driver at all, that is the whole story whatever else was wrong with each node.
 */
export function explainFailure(
  nodeCount: number,
  rejections: Partial<Record<RejectionReason, number>>,
  driver: string,
  noNodeHasDriver: boolean,
): string {
  const head = `${nodeCount} ${nodeCount === 1 ? 'node' : 'nodes'}: `;
  if (noNodeHasDriver) return `${head}no node has ${driver}`;
  const parts = CHECK_ORDER.map((reason, order) => ({ reason, order, n: rejections[reason] ?? 0 }))
    .filter((p) => p.n > 0)
    .sort((a, b) => b.n - a.n || a.order - b.order)
    .map((p) => `${p.n} ${phrase(p.reason, driver)}`);
  return head + parts.join(', ');
}
