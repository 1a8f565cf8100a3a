// A pipeline's steps as a graph: dagre lays the DAG out (top to bottom, edges from `needs`), and
// we draw it as SVG. Each step's box is a link (keyboard-reachable, named with its state) that
// `stepHref` builds, e.g. to show the step's logs; its state is written inside the box and the
// box's class gives its colour: never colour alone. The chosen step is marked in words too.
import * as dagre from '@dagrejs/dagre';
import { stateLabel, stateTone } from './format.js';
import type { PipelineStep } from './types.js';
import { html } from './ui.js';

const NODE_W = 170;
const NODE_H = 52;

export interface Layout {
  width: number;
  height: number;
  nodes: { step: PipelineStep; x: number; y: number }[];
  edges: { from: string; to: string; points: { x: number; y: number }[] }[];
}

/** Lays out steps with dagre; `needs` naming an unknown step are ignored (the server validates). */
export function layoutSteps(steps: PipelineStep[]): Layout {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 40, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(steps.map((s) => s.id));
  for (const s of steps) g.setNode(s.id, { width: NODE_W, height: NODE_H });
  for (const s of steps) for (const need of s.needs ?? []) if (ids.has(need)) g.setEdge(need, s.id);
  dagre.layout(g);
  const graph = g.graph();
  return {
    width: graph.width ?? 0,
    height: graph.height ?? 0,
    nodes: steps.map((step) => {
      const n = g.node(step.id);
      return { step, x: n.x - NODE_W / 2, y: n.y - NODE_H / 2 };
    }),
    edges: g.edges().map((e) => ({ from: e.v, to: e.w, points: g.edge(e).points ?? [] })),
  };
}

export function PipelineGraph({
  steps,
  stepHref,
  chosen,
}: {
  steps: PipelineStep[];
  stepHref: (step: PipelineStep) => string;
  chosen?: string | undefined;
}) {
  const l = layoutSteps(steps);
  // A group, not role="img": an image's children are hidden from assistive technology, links too.
  return html`<svg
    class="dag"
    role="group"
    aria-label="pipeline graph (choose a step to see its logs)"
    viewBox=${`0 0 ${l.width} ${l.height}`}
    width=${l.width}
    height=${l.height}
  >
    <defs>
      <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto">
        <path d="M0,0 L10,5 L0,10 z" class="dag-arrow" />
      </marker>
    </defs>
    ${l.edges.map(
      (e) =>
        html`<polyline
          key=${`${e.from}->${e.to}`}
          class="dag-edge"
          marker-end="url(#arrow)"
          points=${e.points.map((p) => `${p.x},${p.y}`).join(' ')}
        />`,
    )}
    ${l.nodes.map(({ step, x, y }) => {
      const isChosen = step.id === chosen;
      return html`<g
        key=${step.id}
        class=${`dag-step tone-${stateTone(step.state)}${isChosen ? ' chosen' : ''}`}
        data-step=${step.id}
        data-state=${step.state}
      >
        <a
          href=${stepHref(step)}
          aria-label=${`Logs of step ${step.id} (${stateLabel(step.state)})`}
          aria-current=${isChosen ? 'true' : undefined}
        >
          <rect x=${x} y=${y} width=${NODE_W} height=${NODE_H} rx="6" />
          <text x=${x + 10} y=${y + 21} class="dag-name">${isChosen ? `▸ ${step.id}` : step.id}</text>
          <text x=${x + 10} y=${y + 40} class="dag-state">${stateLabel(step.state)}</text>
        </a>
      </g>`;
    })}
  </svg>`;
}
