import type { DoctorGroup } from '../../consistency/index.js';
import type { Finding } from '../../migration/index.js';
import { escapeHtml as esc } from './escape.js';
import { graphSymbols, planningGraphSvg } from './graph-svg.js';
import { renderMarkdown } from './markdown.js';
import {
  BOARD_COLUMNS,
  COLUMN_MARKS,
  COLUMN_TITLES,
  ageText,
  anchorOf,
  boardColumn,
  boardOf,
  cursorText,
  nextStep,
  phaseTrack,
  planningPath,
  stepRunner,
  NewestTimestamp,
  type BoardColumn,
  type ReportData,
  type ReportDoc,
  type ReportMigration,
} from './model.js';

/*
 * The report as one self-contained HTML page: inline CSS and SVG, no script,
 * no external resource. The same data always gives the same bytes.
 */

export interface HtmlReportOptions {
  /** The most bytes the page may have; the plan and phase docs of the last migrations are left out to stay under it. */
  maxBytes?: number;
}

/** 36 MiB: the page stays under 40 MB with the docs budget used up. */
export const DEFAULT_HTML_MAX_BYTES = 36 * 1024 * 1024;

const CSS = `
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--card:#f6f8fa;--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--acc:#0550ae}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1180px;margin:0 auto;padding:16px}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.3em;border-bottom:1px solid var(--line);padding-bottom:.2em}
a{color:var(--acc)}
.meta{color:var(--muted);font-size:.9em}
.board{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:10px}
.col{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px}
.col h3{margin:0 0 6px;font-size:1em}
.col ul{list-style:none;margin:0;padding:0}
.col li{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:6px;margin:0 0 6px;overflow-wrap:anywhere}
.col li small{display:block;color:var(--muted)}
.count{color:var(--muted);font-weight:normal}
.mig{border-top:3px solid var(--line);margin-top:28px;padding-top:8px}
.badge{display:inline-block;border:1px solid currentColor;border-radius:10px;padding:0 8px;font-size:.85em}
.b-done,.b-ready{color:var(--ok)}.b-awaiting-review,.b-in-progress{color:var(--warn)}.b-blocked{color:var(--bad)}.b-skipped,.b-planning{color:var(--muted)}
table{border-collapse:collapse;width:100%;margin:6px 0;font-size:.92em}
th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:var(--card)}
.scroll{overflow-x:auto}
svg.graph{width:100%;min-width:640px;height:auto;display:block}
#cairn-steps rect{fill:#fff;stroke:#57606a;stroke-width:1.5}
#cairn-steps text,svg.graph text{font:13px system-ui,sans-serif;text-anchor:middle;fill:#1b1f24}
#cairn-steps text.n{font-weight:600}
svg.graph text.m{font-size:12px;fill:#57606a}svg.graph text.v{fill:#1a7f37}svg.graph text.c{font-weight:700;fill:#0550ae}svg.graph text.d{font-weight:700}
svg.graph rect.cur{fill:none;stroke:#0550ae;stroke-width:2.5;stroke-dasharray:6 3}
svg.graph path.e{fill:none;stroke:#1b1f24;stroke-width:1.6}svg.graph path.r{stroke:#9a6700;stroke-dasharray:5 3}svg.graph path.x{stroke:#0550ae;stroke-dasharray:2 3}
svg.graph text.l{font-size:11px;fill:#1b1f24;paint-order:stroke;stroke:#fff;stroke-width:3px}
#cairn-arrow path{fill:#1b1f24}
ol.track{list-style:none;display:flex;flex-wrap:wrap;gap:4px;padding:0;margin:6px 0}
ol.track li{border:1px solid var(--line);border-radius:6px;padding:2px 8px}
ol.track li.done{background:#dafbe1}ol.track li.current{border:2px solid var(--acc);font-weight:600}
.sev-error{color:var(--bad)}.sev-warning{color:var(--warn)}
.doc{border:1px solid var(--line);border-radius:6px;padding:0 12px;margin:8px 0;overflow-wrap:anywhere}
.doc pre{overflow-x:auto;background:var(--card);padding:6px}
.doc h1{font-size:1.3em}.doc h2{font-size:1.15em}
.note{color:var(--muted);font-style:italic}
@media print{body{font-size:11pt}.mig{break-before:page}a{color:inherit}svg.graph{min-width:0}.col{break-inside:avoid}}
`;

function badge(migration: ReportMigration): string {
  const column = boardColumn(migration);
  return `<span class="badge b-${column}">${COLUMN_MARKS[column]} ${esc(COLUMN_TITLES[column])}</span>`;
}

function boardHtml(board: ReadonlyMap<BoardColumn, RenderedMigration[]>, now: string | null): string {
  const columns = BOARD_COLUMNS.filter((column) => column !== 'blocked' || (board.get(column)?.length ?? 0) > 0).map((column) => {
    const items = board.get(column) ?? [];
    const cards = items
      .map((migration) => {
        const age = ageText(migration.lastTouch, now);
        const touch = age === null ? '' : ` · touched ${age} ago`;
        const findings = migration.findings > 0 ? ` · ${migration.findings} finding${migration.findings === 1 ? '' : 's'}` : '';
        return `<li><a href="#${anchorOf(migration.slug)}">${esc(migration.slug)}</a><small>${esc(migration.next)}${touch}${findings}</small></li>`;
      })
      .join('');
    return `<section class="col" id="col-${column}"><h3>${COLUMN_MARKS[column]} ${esc(COLUMN_TITLES[column])} <span class="count">(${items.length})</span></h3><ul>${cards}</ul></section>`;
  });
  return `<section id="board"><h2>Board</h2><div class="board">${columns.join('')}</div></section>`;
}

function findingsHtml(findings: readonly Finding[], repoRoot: string | null): string {
  if (findings.length === 0) return '<p>No findings.</p>';
  const rows = findings.map((finding) => {
    const where = repoRoot !== null && finding.path.startsWith(`${repoRoot}/`) ? finding.path.slice(repoRoot.length + 1) : finding.path;
    const mark = finding.severity === 'error' ? '✗' : finding.severity === 'warning' ? '!' : 'i';
    return `<tr class="finding"><td class="sev-${esc(finding.severity)}">${mark} ${esc(finding.severity)}</td><td><code>${esc(finding.code)}</code></td><td>${esc(finding.message)}<br><small>${esc(where)}</small></td></tr>`;
  });
  return `<table><thead><tr><th>Severity</th><th>Code</th><th>Finding</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function planningHtml(migration: ReportMigration): string {
  const { state } = migration;
  if (state === null) return `<h3>Planning</h3><p>${esc(migration.stateError ?? 'No planning state.')}</p>`;
  const path = planningPath(state);
  const title = `Planning path of ${migration.slug}: ${path.entries.map((entry) => entry.step.name).join(', ')}; ${cursorText(path.cursor)}`;
  const rows = path.entries.map((entry) => {
    const reopened = entry.reopenedAfter ? `<tr class="reopen"><td></td><td colspan="4">↺ reopened for revise</td></tr>` : '';
    return `<tr class="step"><td>${entry.number}</td><td>${esc(entry.step.name)}</td><td>${esc(entry.step.outcome)}</td><td>${esc(stepRunner(entry.step) || '—')}</td><td>${esc(entry.step.completed_at)}</td></tr>${reopened}`;
  });
  const decision =
    path.finalDecision !== null ? `<p>Decision: <strong>${esc(path.finalDecision)}</strong>${path.finalReason ? ` — ${esc(path.finalReason)}` : ''}</p>` : `<p>${esc(cursorText(path.cursor))}</p>`;
  const feedback =
    state.feedback.length === 0
      ? ''
      : `<h4>Refinement feedback (${state.feedback.length})</h4><ol>${state.feedback
          .map((entry) => `<li>${esc(entry.received_at || '(no time)')} [${esc(entry.source)}] ${esc(entry.text)}</li>`)
          .join('')}</ol>`;
  return (
    `<h3>Planning path</h3><div class="scroll">${planningGraphSvg(path, title)}</div>${decision}` +
    `<div class="scroll"><table><thead><tr><th>#</th><th>Step</th><th>Outcome</th><th>Run by</th><th>Accepted</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>${feedback}`
  );
}

function phasesHtml(migration: ReportMigration): string {
  const { manifest } = migration;
  if (manifest === null) return '';
  const track = phaseTrack(manifest);
  const done = track.filter((phase) => phase.done).length;
  const items = track
    .map((phase) => {
      const mark = phase.done ? '✓' : phase.current ? '▶' : '○';
      const cls = phase.done ? 'done' : phase.current ? 'current' : 'todo';
      const state = phase.done ? 'done' : phase.current ? 'current' : 'to do';
      return `<li class="phase ${cls}" title="${esc(phase.file)}">${mark} ${esc(phase.name)} <small>(${state}${phase.effort !== null ? `, effort ${esc(phase.effort)}` : ''})</small></li>`;
    })
    .join('');
  const waits = [
    manifest.cooldown_until !== null ? `<li>Cooldown until ${esc(manifest.cooldown_until)}</li>` : '',
    manifest.wake_up_on !== null ? `<li>Wakes up on ${esc(manifest.wake_up_on)}</li>` : '',
  ].join('');
  return `<h3>Phases <span class="count">(${done}/${track.length} done)</span></h3>${track.length === 0 ? '<p>None yet.</p>' : `<ol class="track">${items}</ol>`}${waits === '' ? '' : `<ul>${waits}</ul>`}`;
}

function reviewsHtml(migration: ReportMigration): string {
  if (migration.reviews.length === 0) return '<h3>Reviews</h3><p>No human review recorded.</p>';
  const rows = migration.reviews.map(
    (review) =>
      `<tr class="review"><td>${esc(review.at)}</td><td>${esc(review.reviewer)}</td><td><strong>${esc(review.decision)}</strong></td><td>${esc(review.note ?? '')}</td></tr>`,
  );
  return `<h3>Reviews (${migration.reviews.length})</h3><div class="scroll"><table><thead><tr><th>When</th><th>Reviewer</th><th>Decision</th><th>Note</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function docsHtml(migration: Pick<ReportMigration, 'slug'>, docs: readonly ReportDoc[]): string {
  if (docs.length === 0) return '';
  const anchors = new Map(docs.map((doc) => [doc.file, `${anchorOf(migration.slug)}--${doc.file.replace(/[^A-Za-z0-9_.-]/g, '-')}`]));
  return `<h3>Plan and phase docs</h3>${docs
    .map(
      (doc) =>
        `<article class="doc" id="${esc(anchors.get(doc.file) ?? '')}" data-file="${esc(doc.file)}"><p class="meta">${esc(doc.file)}</p>${renderMarkdown(doc.text, anchors)}</article>`,
    )
    .join('')}`;
}

function leftOutNote(migration: Pick<ReportMigration, 'dir'>): string {
  return `<p class="note">Plan and phase docs left out to keep this report small: see <code>${esc(migration.dir)}</code>.</p>`;
}

/**
 * A migration's section, rendered as far as it can be before the page's
 * time (`now`) is known: the parts before and after the age of its last
 * touch, as UTF-8 (half the size of the string), and what the board and
 * the docs need of it.
 */
interface RenderedMigration extends Pick<ReportMigration, 'slug' | 'dir' | 'docs'> {
  column: BoardColumn;
  next: string;
  lastTouch: string | null;
  findings: number;
  beforeAge: Buffer;
  afterAge: Buffer;
}

function renderMigration(migration: ReportMigration, repoRoot: string | null): RenderedMigration {
  const { manifest } = migration;
  const next = nextStep(migration);
  const beforeAge =
    `<section class="mig" id="${anchorOf(migration.slug)}"><h2><a href="#${anchorOf(migration.slug)}">${esc(migration.slug)}</a> ${badge(migration)}</h2>` +
    `<ul class="meta"><li>Next: ${esc(next)}</li>${manifest !== null ? `<li>Status: ${esc(manifest.status)}</li><li>Last touch: ${esc(manifest.last_touch)}` : ''}`;
  const afterAge =
    `${manifest !== null ? '</li>' : ''}${migration.state !== null ? `<li>Target: ${esc(migration.state.target)}</li>` : ''}<li>Directory: <code>${esc(migration.dir)}</code></li></ul>` +
    `${planningHtml(migration)}${phasesHtml(migration)}${reviewsHtml(migration)}` +
    `<h3>Doctor <span class="count">(${migration.findings.length})</span></h3>${findingsHtml(migration.findings, repoRoot)}`;
  return {
    slug: migration.slug,
    dir: migration.dir,
    docs: migration.docs,
    column: boardColumn(migration),
    next,
    lastTouch: manifest?.last_touch ?? null,
    findings: migration.findings.length,
    beforeAge: Buffer.from(beforeAge, 'utf8'),
    afterAge: Buffer.from(afterAge, 'utf8'),
  };
}

function projectHtml(groups: readonly DoctorGroup[], repoRoot: string | null): string {
  if (groups.length === 0) return '';
  return `<section id="project"><h2>Project findings</h2>${groups.map((group) => `<h3>${esc(group.slug)}</h3>${findingsHtml(group.findings, repoRoot)}`).join('')}</section>`;
}

/**
 * An HTML report built a migration at a time: each migration is rendered
 * as it is added, so a large project's migrations need not all be held at
 * once, and the page is put together once the time ages are measured from
 * is known. Its pieces, joined, are {@link htmlReportParts}'s.
 */
export class HtmlReportPage {
  private readonly migrations: RenderedMigration[] = [];
  private readonly newestTouch = new NewestTimestamp();

  /** `repoRoot` shortens finding paths. */
  constructor(private readonly repoRoot: string | null) {}

  /** Adds the next migration, in the page's order. */
  add(migration: ReportMigration): void {
    this.newestTouch.add(migration);
    this.migrations.push(renderMigration(migration, this.repoRoot));
  }

  /** The newest activity among the migrations added (`newestTimestamp`), the default `now`. */
  get newest(): string | null {
    return this.newestTouch.value;
  }

  /**
   * The page, in order, as UTF-8 pieces. The plan and phase docs are
   * included in migration order while the page stays within `maxBytes`;
   * from the first migration whose docs would pass it on, a note names the
   * directory instead.
   */
  parts(page: Pick<ReportData, 'now' | 'projectGroups' | 'readDocs'>, options: HtmlReportOptions = {}): Buffer[] {
    const maxBytes = options.maxBytes ?? DEFAULT_HTML_MAX_BYTES;
    const { migrations } = this;
    const board = boardOf(migrations, (migration) => migration.column);
    const counts = BOARD_COLUMNS.map((column) => [column, board.get(column)?.length ?? 0] as const).filter(([, n]) => n > 0);
    const summary = counts.map(([column, n]) => `${n} ${COLUMN_TITLES[column].toLowerCase()}`).join(', ');
    const head = Buffer.from(
      `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
        `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
        `<title>cairn report</title><style>${CSS}</style></head><body>${graphSymbols()}<main>` +
        `<h1>Migrations</h1><p class="meta">${migrations.length} migration${migrations.length === 1 ? '' : 's'}${summary === '' ? '' : `: ${esc(summary)}`}.` +
        `${page.now === null ? '' : ` Ages as of ${esc(page.now)}.`}</p>${boardHtml(board, page.now)}${projectHtml(page.projectGroups, this.repoRoot)}`,
      'utf8',
    );
    const tail = Buffer.from('</main></body></html>\n', 'utf8');
    const closing = Buffer.from('</section>', 'utf8');
    const nothing = Buffer.alloc(0);
    // Each migration is five parts: its opening around the age, its docs or the note that stands for
    // them, and the closing tag; only the fourth one changes once the budget is spent.
    const parts: Buffer[] = [head];
    let size = head.length + tail.length;
    // The migrations that have docs, with where their note stands in `parts`.
    const withDocs: { migration: RenderedMigration; at: number }[] = [];
    for (const migration of migrations) {
      const age = migration.lastTouch === null ? null : ageText(migration.lastTouch, page.now);
      const ageBytes = age === null ? nothing : Buffer.from(` (${age} ago)`, 'utf8');
      const note = migration.docs === null ? nothing : Buffer.from(leftOutNote(migration), 'utf8');
      if (note.length > 0) withDocs.push({ migration, at: parts.length + 3 });
      parts.push(migration.beforeAge, ageBytes, migration.afterAge, note, closing);
      size += migration.beforeAge.length + ageBytes.length + migration.afterAge.length + note.length + closing.length;
    }
    parts.push(tail);
    // Docs are rendered in order until one migration's no longer fit; the rest keep their note, so
    // a large report does not read or render docs it will leave out.
    for (const { migration, at } of withDocs) {
      const docs = Buffer.from(docsHtml(migration, page.readDocs(migration)), 'utf8');
      const extra = docs.length - (parts[at] as Buffer).length;
      if (size + extra > maxBytes) break;
      size += extra;
      parts[at] = docs;
    }
    return parts;
  }
}

/**
 * The HTML report of `data`, in order, as the pieces it is made of: joined,
 * they are {@link renderHtmlReport}'s page (see {@link HtmlReportPage}).
 */
export function htmlReportParts(data: ReportData, repoRoot: string | null, options: HtmlReportOptions = {}): string[] {
  const page = new HtmlReportPage(repoRoot);
  for (const migration of data.migrations) page.add(migration);
  return page.parts(data, options).map((part) => part.toString('utf8'));
}

/** The HTML report of `data` as one page (see {@link htmlReportParts}). */
export function renderHtmlReport(data: ReportData, repoRoot: string | null, options: HtmlReportOptions = {}): string {
  return htmlReportParts(data, repoRoot, options).join('');
}
