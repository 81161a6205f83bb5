import { spawn } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { collectReport, JobsInput, parseWholeNumberFlag } from '../../app/index.js';
import type { ProjectContext } from '../../config/index.js';
import { writeFileDurable } from '../../fs/index.js';
import { HtmlReportPage, newestTimestamp, renderMarkdownReport, type ReportData } from '../../outputs/index.js';
import { CairnError } from '../../util/index.js';
import { defineCommand } from '../command.js';

interface ReportOptions {
  format: 'html' | 'markdown';
  out?: string;
  open?: boolean;
  now?: string;
  jobs?: number;
}

const DEFAULT_FILES = { html: 'cairn-report.html', markdown: 'cairn-report.md' } as const;

function parseNow(value: string): string {
  if (value === 'now') return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || !Number.isFinite(Date.parse(value))) {
    throw new CairnError('usage', `--now must be an ISO-8601 time with an offset (2026-05-01T12:00:00Z) or 'now', got '${value}'.`, {
      hint: 'Run `cairn report --now now` to measure ages from the current time, or leave --now out to measure them from the newest activity in the report.',
    });
  }
  return value;
}

function jobsCount(value: string): number {
  return parseWholeNumberFlag(value, JobsInput, `--jobs takes a whole number from 1 to 64, not '${value}'.`);
}

/** Where the report goes: `-` is stdout (null); a directory gets the default file name. */
function outputFile(out: string | undefined, format: ReportOptions['format']): string | null {
  if (out === '-') return null;
  if (out === undefined) return format === 'markdown' ? null : path.resolve(DEFAULT_FILES.html);
  const resolved = path.resolve(out);
  let isDir = out.endsWith('/') || out.endsWith(path.sep);
  try {
    isDir ||= statSync(resolved).isDirectory();
  } catch {
    // Not there yet: a file, unless it ends with a separator.
  }
  return isDir ? path.join(resolved, format === 'markdown' ? DEFAULT_FILES.markdown : 'index.html') : resolved;
}

/** Opens `file` with the desktop's handler, detached; false when none could start. */
function openInBrowser(file: string): Promise<boolean> {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  return new Promise((resolve) => {
    const child = spawn(opener, [file], { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}

/** The page in UTF-8 pieces, and how many migrations it shows. */
interface RenderedReport {
  parts: Buffer[];
  count: number;
}

async function markdownReport(context: ProjectContext, options: ReportOptions): Promise<RenderedReport> {
  const input = await collectReport(context, options.jobs);
  const data: ReportData = { ...input, now: options.now ?? newestTimestamp(input.migrations) };
  return { parts: [Buffer.from(renderMarkdownReport(data), 'utf8')], count: input.migrations.length };
}

// Each migration is rendered as it comes, and the page stays in pieces until it is written: the
// migrations held whole, or the page as one string, would be a second copy of it.
async function htmlReport(context: ProjectContext, options: ReportOptions): Promise<RenderedReport> {
  const page = new HtmlReportPage(context.repoRoot);
  let count = 0;
  const input = await collectReport(context, options.jobs, (migration) => {
    page.add(migration);
    count++;
  });
  return { parts: page.parts({ ...input, now: options.now ?? page.newest }), count };
}

export const reportCommand = defineCommand<[], ReportOptions>({
  name: 'report',
  description:
    'draw every migration as a page: a board by status, each planning path and phase track, reviews, doctor findings, plans and phase docs (self-contained HTML, or Markdown with Mermaid for GitHub); read-only',
  options: [
    { flags: '--format <format>', description: 'html (one self-contained file) or markdown (a summary with Mermaid diagrams)', choices: ['html', 'markdown'], default: 'html' },
    { flags: '--out <file|dir>', description: `where to write it (a directory gets index.html or ${DEFAULT_FILES.markdown}; - for stdout). Default: ${DEFAULT_FILES.html} for html, stdout for markdown` },
    { flags: '--open', description: 'open the HTML report in the default browser once written' },
    { flags: '--now <time>', description: "measure ages from this ISO-8601 time, or 'now' (default: the newest activity in the report, so the same files give the same report)", parse: parseNow },
    { flags: '--jobs <n>', description: 'threads that read and check migrations at once (default: up to 2, for 400 or more migrations whose files are cached)', parse: jobsCount },
  ],
  examples: ['report --out build/report/', 'report --format markdown >> "$GITHUB_STEP_SUMMARY"', 'report --open --now now'],
  async run({ options, io, project }) {
    const file = outputFile(options.out, options.format);
    if (options.open === true && (options.format !== 'html' || file === null)) {
      throw new CairnError('usage', '--open needs an HTML report written to a file.', { hint: 'Run `cairn report --open` (or with `--out <file>`), without `--format markdown` or `--out -`.' });
    }
    const context = await project();
    const { parts, count } = options.format === 'markdown' ? await markdownReport(context, options) : await htmlReport(context, options);
    if (file === null) {
      for (const part of parts) io.stdout(part.toString('utf8'));
      return 0;
    }
    mkdirSync(path.dirname(file), { recursive: true });
    await writeFileDurable(file, Buffer.concat(parts));
    io.stderr(`Wrote ${file} (${count} migration${count === 1 ? '' : 's'}).\n`);
    if (options.open === true && !(await openInBrowser(file))) {
      io.stderr(`Warning: could not start a browser for ${file}.\nHint: Open the file yourself, or install xdg-open.\n`);
    }
    return 0;
  },
});
