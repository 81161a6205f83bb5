import { BOARD_COLUMNS, COLUMN_MARKS, COLUMN_TITLES, ageText, boardColumn, boardOf, cursorText, nextStep, phaseTrack, planningPath, stepRunner, type ReportData, type ReportMigration } from './model.js';

/*
 * The report as GitHub-flavoured Markdown for `$GITHUB_STEP_SUMMARY` and
 * pull-request comments: the board as a table and, per migration, a Mermaid
 * diagram of its planning path. GitHub caps a step summary at 1 MiB, so the
 * diagrams stop after `maxDiagrams` migrations.
 */

export interface MarkdownReportOptions {
  maxDiagrams?: number;
}

export const DEFAULT_MAX_DIAGRAMS = 50;

/** `text` as one line of a Markdown table cell, with nothing that starts HTML or breaks the table. */
function cell(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*[\]<>|&]/g, (char) => `&#${char.codePointAt(0)};`)
    .trim();
}

/** `text` inside a quoted Mermaid label: quotes and angle brackets as Mermaid entity codes. */
function mermaidLabel(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/["<>#&;`]/g, (char) => `#${char.codePointAt(0)};`);
}

function mermaidOf(migration: ReportMigration): string | null {
  if (migration.state === null) return null;
  const path = planningPath(migration.state);
  const lines = ['```mermaid', 'flowchart LR'];
  let previous: string | null = null;
  let reopened = false;
  for (const entry of path.entries) {
    const id = `s${entry.number}`;
    const who = stepRunner(entry.step);
    lines.push(`  ${id}["${entry.number}. ${entry.step.name}<br/>${mermaidLabel(entry.step.outcome)}${who === '' ? '' : `<br/>${mermaidLabel(who)}`}"]`);
    if (previous !== null) lines.push(`  ${previous} ${reopened ? '-. reopened .->' : '-->'} ${id}`);
    previous = id;
    reopened = entry.reopenedAfter;
  }
  const end = cursorText(path.cursor);
  lines.push(`  end_node(["${mermaidLabel(end)}"])`);
  if (previous !== null) lines.push(`  ${previous} ${path.cursor.startsWith('terminal-') ? '==>' : '-.->'} end_node`);
  lines.push('```');
  return lines.join('\n');
}

function migrationMarkdown(migration: ReportMigration, withDiagram: boolean): string {
  const column = boardColumn(migration);
  const out = [`### ${cell(migration.slug)}`, '', `${COLUMN_MARKS[column]} **${COLUMN_TITLES[column]}** · next: ${cell(nextStep(migration))}`];
  if (migration.manifest !== null && migration.manifest.phases.length > 0) {
    const track = phaseTrack(migration.manifest);
    out.push('', `Phases (${track.filter((phase) => phase.done).length}/${track.length} done): ${track.map((phase) => `${phase.done ? '✓' : phase.current ? '▶' : '○'} ${cell(phase.name)}`).join(' → ')}`);
  }
  if (migration.findings.length > 0) {
    out.push('', `Doctor: ${migration.findings.length} finding${migration.findings.length === 1 ? '' : 's'}: ${[...new Set(migration.findings.map((finding) => `\`${finding.code}\``))].join(', ')}`);
  }
  const diagram = withDiagram ? mermaidOf(migration) : null;
  if (diagram !== null) out.push('', diagram);
  return out.join('\n');
}

export function renderMarkdownReport(data: ReportData, options: MarkdownReportOptions = {}): string {
  const maxDiagrams = options.maxDiagrams ?? DEFAULT_MAX_DIAGRAMS;
  const board = boardOf(data.migrations, boardColumn);
  const out = ['## cairn migrations', ''];
  if (data.migrations.length === 0) return `${[...out, 'No migrations.'].join('\n')}\n`;
  out.push('| Status | Count |', '|---|---|');
  for (const column of BOARD_COLUMNS) {
    const count = board.get(column)?.length ?? 0;
    if (count > 0) out.push(`| ${COLUMN_MARKS[column]} ${COLUMN_TITLES[column]} | ${count} |`);
  }
  out.push('', '| Migration | Status | Next | Last touch | Findings |', '|---|---|---|---|---|');
  for (const migration of data.migrations) {
    const column = boardColumn(migration);
    const age = ageText(migration.manifest?.last_touch ?? null, data.now);
    out.push(
      `| ${cell(migration.slug)} | ${COLUMN_MARKS[column]} ${COLUMN_TITLES[column]} | ${cell(nextStep(migration))} | ${age === null ? '—' : `${age} ago`} | ${migration.findings.length} |`,
    );
  }
  const projectFindings = data.projectGroups.reduce((sum, group) => sum + group.findings.length, 0);
  if (projectFindings > 0) out.push('', `Project findings (config, lock, transactions): ${projectFindings}. Run \`cairn doctor\` for details.`);
  data.migrations.forEach((migration, i) => out.push('', migrationMarkdown(migration, i < maxDiagrams)));
  if (data.migrations.length > maxDiagrams) out.push('', `Planning diagrams are shown for the first ${maxDiagrams} migrations; run \`cairn report\` for all of them.`);
  return `${out.join('\n')}\n`;
}
