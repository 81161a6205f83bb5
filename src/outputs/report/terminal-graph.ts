import type { Manifest, PlanningState } from '../../migration/index.js';
import { cursorText, phaseTrack, planningPath, stepRunner } from './model.js';

/*
 * `cairn status <slug> --graph`: the planning path as a vertical chain and
 * the phase track, in Unicode box drawing or plain ASCII. Colour comes from
 * the caller's `paint`, which paints nothing off a terminal.
 */

export type GraphColour = 'green' | 'yellow' | 'cyan' | 'bold';

export interface TerminalGraphOptions {
  ascii: boolean;
  paint: (colour: GraphColour, text: string) => string;
}

const GLYPHS = {
  unicode: { dash: '—', node: '●', next: '◎', end: '◆', line: '│', reopen: '↺', done: '✓', current: '▶', todo: '○', link: '──' },
  ascii: { dash: '-', node: '*', next: 'o', end: '#', line: '|', reopen: '<-', done: 'x', current: '>', todo: ' ', link: '--' },
} as const;

export function planningGraphText(state: PlanningState, options: TerminalGraphOptions): string[] {
  const g = options.ascii ? GLYPHS.ascii : GLYPHS.unicode;
  const path = planningPath(state);
  const width = Math.max(12, ...path.entries.map((entry) => entry.step.name.length));
  const out = [options.paint('bold', 'Planning path')];
  for (const entry of path.entries) {
    const who = stepRunner(entry.step);
    const head = `${String(entry.number).padStart(2)} ${entry.step.name.padEnd(width)}  ${entry.step.outcome.padEnd(19)} ${entry.step.completed_at}${who === '' ? '' : `  ${who}`}`;
    out.push(`  ${options.paint('green', g.node)} ${head.trimEnd()}`);
    out.push(`  ${g.line}`);
    if (entry.reopenedAfter) {
      out.push(`  ${options.paint('yellow', `${g.reopen} reopened for revise`)}`);
      out.push(`  ${g.line}`);
    }
  }
  const terminal = path.cursor.startsWith('terminal-');
  const last = terminal
    ? `${options.paint('bold', g.end)} ${cursorText(path.cursor)}${path.finalDecision !== null ? ` (${path.finalDecision}${path.finalReason ? ` ${g.dash} ${path.finalReason}` : ''})` : ''}`
    : `${options.paint('cyan', g.next)} ${cursorText(path.cursor)}`;
  out.push(`  ${last}`);
  return out;
}

export function phaseTrackText(manifest: Manifest, options: TerminalGraphOptions): string[] {
  const g = options.ascii ? GLYPHS.ascii : GLYPHS.unicode;
  const track = phaseTrack(manifest);
  const done = track.filter((phase) => phase.done).length;
  const out = [options.paint('bold', `Phase track (${done}/${track.length} done)`)];
  if (track.length === 0) {
    out.push('  none yet');
    return out;
  }
  const marks = track.map((phase) => {
    const mark = phase.done ? options.paint('green', g.done) : phase.current ? options.paint('cyan', g.current) : g.todo;
    return options.ascii ? `[${mark}] ${phase.name}` : `${mark} ${phase.name}`;
  });
  out.push(`  ${marks.join(` ${g.link} `)}`);
  if (manifest.cooldown_until !== null) out.push(`  cooldown until ${manifest.cooldown_until}`);
  if (manifest.wake_up_on !== null) out.push(`  wakes up on ${manifest.wake_up_on}`);
  return out;
}
