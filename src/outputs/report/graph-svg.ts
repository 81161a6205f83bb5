import { STEPS, type Step } from '../../migration/index.js';
import { escapeHtml } from './escape.js';
import { cursorText, stepVisits, type PlanningPath } from './model.js';

/*
 * The planning graph as an inline SVG: the seven steps and the decision as
 * nodes in their nominal order, the path actually taken as numbered edges
 * (forward jumps arc above, reopenings arc below). The nodes' frame is one
 * shared <symbol> (`graphSymbols`), so each migration adds only its marks and
 * edges. Every state is said in text too, never by colour alone.
 */

const NODE_W = 112;
const GAP = 24;
const TOP = 78;
const NODE_H = 44;
const NODES = [...STEPS, 'decision'] as const;
const WIDTH = NODES.length * NODE_W + (NODES.length - 1) * GAP + 8;
const HEIGHT = 210;
export const GRAPH_SYMBOL_ID = 'cairn-steps';

function nodeX(index: number): number {
  return 4 + index * (NODE_W + GAP);
}

function centre(index: number): number {
  return nodeX(index) + NODE_W / 2;
}

/** The hidden SVG holding the shared node frame and arrow heads; included once per document. */
export function graphSymbols(): string {
  const nodes = NODES.map((name, i) => {
    const x = nodeX(i);
    return `<rect x="${x}" y="${TOP}" width="${NODE_W}" height="${NODE_H}" rx="6"/><text x="${x + NODE_W / 2}" y="${TOP + 17}" class="n">${name}</text>`;
  }).join('');
  return (
    `<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>` +
    `<marker id="cairn-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z"/></marker>` +
    `<symbol id="${GRAPH_SYMBOL_ID}" viewBox="0 0 ${WIDTH} ${HEIGHT}">${nodes}</symbol></defs></svg>`
  );
}

interface Edge {
  from: number;
  to: number;
  numbers: number[];
  kind: 'taken' | 'reopened' | 'next';
}

function nodeIndex(cursor: string): number {
  const step = STEPS.indexOf(cursor as Step);
  return step >= 0 ? step : NODES.length - 1;
}

function edgesOf(path: PlanningPath): Edge[] {
  const edges = new Map<string, Edge>();
  const add = (from: number, to: number, number: number, kind: Edge['kind']): void => {
    const key = `${from}>${to}>${kind}`;
    const edge = edges.get(key);
    if (edge === undefined) edges.set(key, { from, to, numbers: [number], kind });
    else edge.numbers.push(number);
  };
  path.entries.forEach((entry, i) => {
    const from = STEPS.indexOf(entry.step.name);
    const following = path.entries[i + 1];
    if (following !== undefined) {
      add(from, STEPS.indexOf(following.step.name), entry.number, entry.reopenedAfter ? 'reopened' : 'taken');
    } else {
      add(from, nodeIndex(path.cursor), entry.number, path.cursor.startsWith('terminal-') ? 'taken' : 'next');
    }
  });
  return [...edges.values()];
}

function edgeSvg(edge: Edge): string {
  const label = `${edge.kind === 'reopened' ? '↺ ' : ''}${escapeHtml(edge.numbers.join(','))}`;
  const cls = edge.kind === 'taken' ? 'e' : edge.kind === 'reopened' ? 'e r' : 'e x';
  const distance = Math.abs(edge.to - edge.from);
  const midY = TOP + NODE_H / 2;
  if (edge.to === edge.from + 1) {
    const x1 = nodeX(edge.from) + NODE_W;
    const x2 = nodeX(edge.to);
    return `<path class="${cls}" d="M${x1},${midY}H${x2 - 1}" marker-end="url(#cairn-arrow)"/><text class="l" x="${(x1 + x2) / 2}" y="${midY - 5}">${label}</text>`;
  }
  const above = edge.to > edge.from;
  const y = above ? TOP : TOP + NODE_H;
  const bend = above ? y - 14 - 14 * distance : y + 14 + 14 * distance;
  const x1 = centre(edge.from) + (above ? 12 : -12);
  const x2 = centre(edge.to) + (above ? -12 : 12);
  const peak = above ? (y + bend) / 2 - 4 : (y + bend) / 2 + 12;
  return `<path class="${cls}" d="M${x1},${y}C${x1},${bend} ${x2},${bend} ${x2},${y}" marker-end="url(#cairn-arrow)"/><text class="l" x="${(x1 + x2) / 2}" y="${peak}">${label}</text>`;
}

function nodeMarks(path: PlanningPath): string {
  const visits = stepVisits(path);
  const cursor = nodeIndex(path.cursor);
  return NODES.map((name, i) => {
    const x = nodeX(i);
    let mark: string;
    let cls: string;
    if (name === 'decision') {
      const decided = path.cursor.startsWith('terminal-');
      mark = decided ? cursorText(path.cursor).replace(', needs human review', ' (human)') : '· undecided';
      cls = decided ? 'm d' : 'm';
    } else {
      const count = visits.get(name) ?? 0;
      mark = i === cursor ? (count > 0 ? `✓×${count} ▶ next` : '▶ next') : count > 0 ? `✓ ×${count}` : '· not run';
      cls = i === cursor ? 'm c' : count > 0 ? 'm v' : 'm';
    }
    const frame = i === cursor ? `<rect class="cur" x="${x - 3}" y="${TOP - 3}" width="${NODE_W + 6}" height="${NODE_H + 6}" rx="8"/>` : '';
    return `${frame}<text x="${x + NODE_W / 2}" y="${TOP + 35}" class="${cls}">${escapeHtml(mark)}</text>`;
  }).join('');
}

/** How far an edge's arc reaches above the nodes (positive) or below them (negative), labels included. */
function reach(edge: Edge): number {
  if (edge.to === edge.from + 1) return 0;
  const distance = Math.abs(edge.to - edge.from);
  return edge.to > edge.from ? 14 + 14 * distance : -(30 + 14 * distance);
}

/** The planning graph of one migration; `title` names it for screen readers. Its view is cropped to the arcs it draws. */
export function planningGraphSvg(path: PlanningPath, title: string): string {
  const all = edgesOf(path);
  const edges = all.map(edgeSvg).join('');
  const above = Math.max(8, ...all.map(reach));
  const below = Math.max(8, ...all.map((edge) => -reach(edge)));
  const top = TOP - above;
  const height = NODE_H + above + below;
  return (
    `<svg class="graph" viewBox="0 ${top} ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(title)}">` +
    `<use href="#${GRAPH_SYMBOL_ID}" width="${WIDTH}" height="${HEIGHT}"/>${nodeMarks(path)}${edges}</svg>`
  );
}
