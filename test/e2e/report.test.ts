import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENT, fakeAgentBin } from '../support/agents.js';
import { runCli } from '../support/cli.js';
import { commitAll } from '../support/git.js';
import { emptyRepo, planRepoAt, stateOf, type PlanRepo } from '../support/plan-repo.js';
import { copyRepoDir, fixtureRepo, newMigration } from '../support/repo.js';
import { CR_V1 } from '../support/fixture.js';
import { tempDir, templateDir } from '../support/tmp.js';

/*
 * `cairn report` on a repository planned through every path, and on the
 * cr-v1 fixture corpus: the document's structure, that agent-written
 * Markdown comes out inert, and that the same files give the same bytes.
 */

const NEEDS_HUMAN = { FAKE_FINAL: 'final-decision: approve-needs-human — phase 2 deletes a public API' };
const FINDINGS = { FAKE_REVIEW: '1. Phase 2 has no rollback note.' };
const HOSTILE_PLAN = [
  '# Plan <script>alert("plan")</script>',
  '',
  '<img src=x onerror="alert(1)">',
  '',
  '[run me](javascript:alert(1)) and [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) and [vb](vbscript:msgbox(1))',
  '',
  '<a href="javascript:alert(2)" onclick="alert(3)">raw link</a>',
  '',
  '[fine](https://example.invalid/docs)',
  '',
].join('\n');

/** Slug → the column its board card must be in. */
const PATHS: Record<string, string> = {
  'clear-path': 'ready',
  'findings-path': 'ready',
  'refined-path': 'ready',
  'human-approved': 'ready',
  'human-rejected': 'skipped',
  'all-done': 'done',
  'not-planned': 'planning',
};

let paths: PlanRepo;

function cli(p: PlanRepo, args: string[], env: Record<string, string> = {}): void {
  const result = p.cli(args, env);
  expect(result.stderr + result.stdout, args.join(' ')).not.toMatch(/^Error:/m);
  expect(result.code, args.join(' ')).toBe(0);
}

beforeAll(() => {
  const root = templateDir();
  const repo = emptyRepo(root);
  const p = planRepoAt(repo, fakeAgentBin(root));
  for (const slug of Object.keys(PATHS)) newMigration(repo, slug, `target of ${slug}`, p.env());
  commitAll(repo, 'new migrations');
  const plan = (slug: string, env: Record<string, string> = {}): void => cli(p, ['plan', slug, ...AGENT, '--until', 'terminal', '--commit'], env);
  plan('clear-path');
  plan('findings-path', FINDINGS);
  plan('refined-path');
  cli(p, ['refine', 'refined-path', '--message', 'Split phase 2 in two.', ...AGENT, '--commit']);
  plan('refined-path');
  plan('human-approved', NEEDS_HUMAN);
  cli(p, ['review', 'human-approved', '--approve', '--note', 'Checked the callers.', '--commit']);
  plan('human-rejected', NEEDS_HUMAN);
  cli(p, ['review', 'human-rejected', '--reject', '--reason', 'Too risky this quarter.', '--commit']);
  plan('all-done');
  cli(p, ['phase', 'done', 'all-done', '--commit']);
  cli(p, ['phase', 'done', 'all-done', '--commit']);
  writeFileSync(path.join(p.live, 'clear-path', 'plan.md'), HOSTILE_PLAN);
  commitAll(repo, 'an agent-written plan');
  paths = p;
}, 240_000);

/** The HTML of one `<section ... id="<id>">`, up to the next section of the same kind. */
function sectionOf(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  expect(start, id).toBeGreaterThan(0);
  const end = html.indexOf('<section class="', start + 1);
  return html.slice(start, end === -1 ? undefined : end);
}

function boardSlugs(html: string, column: string): string[] {
  return [...sectionOf(html, `col-${column}`).matchAll(/<li><a href="#m-([^"]+)">/g)].map((match) => match[1] as string);
}

function report(repo: string, args: string[] = []): { html: string; stderr: string } {
  const out = path.join(tempDir('cairn-report-'), 'report.html');
  const result = runCli(['report', '--out', out, ...args], { cwd: repo });
  expect(result.stderr).toMatch(/^Wrote .*report\.html \(\d+ migrations?\)\.\n$/);
  expect(result.code).toBe(0);
  return { html: readFileSync(out, 'utf8'), stderr: result.stderr };
}

describe('cairn report on every planning path', () => {
  it('puts each migration on the board in its column, with its own section and anchor', () => {
    const { html, stderr } = report(paths.repo);
    expect(stderr).toContain(`(${Object.keys(PATHS).length} migrations)`);
    for (const column of new Set(Object.values(PATHS))) {
      const expected = Object.entries(PATHS)
        .filter(([, shown]) => shown === column)
        .map(([slug]) => slug)
        .sort();
      expect(boardSlugs(html, column), column).toEqual(expected);
    }
    expect(boardSlugs(html, 'in-progress')).toEqual([]);
    for (const slug of Object.keys(PATHS)) expect(html).toContain(`<section class="mig" id="m-${slug}"><h2><a href="#m-${slug}">${slug}</a>`);
  });

  it('draws the seven steps and the decision, and lists each accepted step with who ran it', () => {
    const { html } = report(paths.repo);
    const symbol = html.slice(html.indexOf('<symbol id="cairn-steps"'), html.indexOf('</symbol>'));
    expect([...symbol.matchAll(/class="n">([^<]+)</g)].map((match) => match[1])).toEqual([
      'approaches', 'pick-best', 'expand', 'review', 'revise', 'review-2', 'final-review', 'decision',
    ]);
    for (const slug of Object.keys(PATHS)) {
      const section = sectionOf(html, `m-${slug}`);
      const steps = (stateOf(paths, slug)['completed_steps'] as { name: string }[]).map((step) => step.name);
      expect([...section.matchAll(/<tr class="step"><td>\d+<\/td><td>([^<]+)<\/td>/g)].map((match) => match[1]), slug).toEqual(steps);
      expect(section).toContain('<use href="#cairn-steps"');
      if (steps.length > 0) expect(section).toContain('<td>command</td>');
    }
    expect(sectionOf(html, 'm-clear-path')).toContain('<td>review</td><td>clear</td>');
    expect(stateOf(paths, 'findings-path')['completed_steps']).toHaveLength(7);
    expect(sectionOf(html, 'm-findings-path')).toContain('<td>review</td><td>findings</td>');
    expect(sectionOf(html, 'm-refined-path')).toContain('↺ reopened for revise');
    expect(sectionOf(html, 'm-refined-path')).toContain('Split phase 2 in two.');
    expect(sectionOf(html, 'm-clear-path')).not.toContain('↺ reopened for revise');
    expect(sectionOf(html, 'm-not-planned')).toContain('▶ next');
    expect(sectionOf(html, 'm-human-approved')).toContain('Decision: <strong>approve-needs-human</strong>');
  });

  it('shows the phase track, the review history and doctor’s findings', () => {
    const { html } = report(paths.repo);
    expect(sectionOf(html, 'm-all-done')).toContain('Phases <span class="count">(2/2 done)</span>');
    expect(sectionOf(html, 'm-clear-path')).toContain('Phases <span class="count">(0/2 done)</span>');
    expect(sectionOf(html, 'm-clear-path')).toContain('<li class="phase current" title="phase-1-add-api.md">▶ add-api');
    expect(sectionOf(html, 'm-human-approved')).toMatch(/<tr class="review"><td>[^<]+<\/td><td>Cairn Test &lt;test@cairn.invalid&gt;<\/td><td><strong>approve<\/strong><\/td><td>Checked the callers.<\/td><\/tr>/);
    expect(sectionOf(html, 'm-human-rejected')).toContain('<strong>reject</strong></td><td>Too risky this quarter.</td>');
    expect(sectionOf(html, 'm-clear-path')).toContain('No human review recorded.');
    for (const slug of Object.keys(PATHS)) expect(sectionOf(html, `m-${slug}`)).toContain('Doctor <span class="count">(0)</span>');
  });

  it('renders agent-written Markdown inert: no script, no event handler, no script-bearing link', () => {
    const { html } = report(paths.repo);
    const plan = sectionOf(html, 'm-clear-path');
    expect(plan).toContain('&lt;script&gt;alert(&quot;plan&quot;)&lt;/script&gt;');
    expect(plan).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(plan).toContain('<a href="https://example.invalid/docs">fine</a>');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/href\s*=\s*["']?\s*(javascript|data|vbscript):/i);
    expect(plan).toContain('[run me](javascript:alert(1))');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  });

  it('gives the same bytes for the same files, wherever the repository is', () => {
    const first = report(paths.repo).html;
    expect(report(paths.repo).html).toBe(first);
    expect(report(paths.repo, ['--jobs', '2']).html).toBe(first);
    expect(report(copyRepoDir(paths.repo)).html).toBe(first);
    expect(first).not.toContain(paths.repo);
    const dated = report(paths.repo, ['--now', '2099-01-01T00:00:00Z']).html;
    expect(dated).toContain('Ages as of 2099-01-01T00:00:00Z.');
  });

  it('writes GitHub Markdown with a Mermaid diagram of each planning path', () => {
    const result = paths.cli(['report', '--format', 'markdown']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const text = result.stdout;
    expect(text.startsWith('## cairn migrations\n')).toBe(true);
    expect(text.match(/```mermaid\nflowchart LR\n/g)).toHaveLength(Object.keys(PATHS).length);
    const findings = text.slice(text.indexOf('### findings-path'), text.indexOf('### human-approved'));
    expect([...findings.matchAll(/ s\d+\["\d+\. ([a-z-0-9]+)<br\/>/g)].map((match) => match[1])).toEqual([
      'approaches', 'pick-best', 'expand', 'review', 'revise', 'review-2', 'final-review',
    ]);
    expect(findings).toContain('s7 ==> end_node');
    const refined = text.slice(text.indexOf('### refined-path'));
    expect(refined).toMatch(/s\d+ -\. reopened \.-> s\d+/);
    expect(text).toContain('| all-done | ✓ Done | nothing |');
    expect(text).toContain('| human-rejected | ⊘ Skipped | nothing |');
    expect(text).not.toContain('<script');
  });

  it('status --graph draws the path and the phase track, in ASCII with --ascii', () => {
    const ascii = paths.cli(['status', 'findings-path', '--graph', '--ascii']);
    expect(ascii.code).toBe(0);
    const tail = ascii.stdout.slice(ascii.stdout.indexOf('Planning path\n'));
    const lines = tail.split('\n');
    expect(lines.filter((line) => line.startsWith('  *')).map((line) => line.split(/\s+/).slice(3, 5).join(' '))).toEqual([
      'approaches completed', 'pick-best completed', 'expand completed', 'review findings', 'revise completed', 'review-2 clear', 'final-review approve-auto',
    ]);
    expect(tail).toContain('  # ready (approve-auto');
    expect(tail).toContain('Phase track (0/2 done)\n  [>] add-api -- [ ] remove-old\n');
    expect(tail).toMatch(/^[\x20-\x7e\n]*$/);
    const unicode = paths.cli(['status', 'refined-path', '--graph']);
    expect(unicode.stdout).toContain('  ↺ reopened for revise\n');
    expect(unicode.stdout).toContain('▶ add-api ── ○ remove-old');
    expect(unicode.stdout).not.toContain('\u001b[');
  });
});

describe('cairn report on the cr-v1 fixture corpus', () => {
  it('shows all 40 migrations, the broken ones blocked with their findings, and the project findings', () => {
    const repo = fixtureRepo();
    const { html } = report(repo);
    const expected = JSON.parse(readFileSync(path.join(CR_V1, 'EXPECTED.json'), 'utf8')) as { list: Record<string, unknown>; broken: Record<string, unknown> };
    const slugs = Object.keys(expected.list);
    expect(slugs).toHaveLength(40);
    for (const slug of slugs) expect(html).toContain(`<section class="mig" id="m-${slug}">`);
    expect(html.match(/<section class="mig"/g)).toHaveLength(40);
    const doctor = JSON.parse(runCli(['doctor', '--format', 'json'], { cwd: repo }).stdout) as { findings: { slug: string; code: string }[] };
    for (const slug of slugs) {
      const codes = doctor.findings.filter((finding) => finding.slug === slug).map((finding) => finding.code);
      const section = sectionOf(html, `m-${slug}`);
      expect([...section.matchAll(/<tr class="finding"><td[^>]*>[^<]*<\/td><td><code>([^<]+)<\/code>/g)].map((match) => match[1]), slug).toEqual(codes);
      if (slug in expected.broken) expect(codes.length, slug).toBeGreaterThan(0);
    }
    const project = sectionOf(html, 'project');
    expect(project).toContain('<code>publish-lock-present</code>');
    expect(project).toContain('<code>transaction-leftover</code>');
    const total = ['planning', 'awaiting-review', 'ready', 'in-progress', 'done', 'skipped', 'blocked'].reduce((sum, column) => sum + boardSlugs(html, column).length, 0);
    expect(total).toBe(40);
    expect(boardSlugs(html, 'blocked')).toContain('src-audit-schema-go-20260427T042537');
    // Read and checked on worker threads (--jobs), the same bytes.
    expect(report(repo, ['--jobs', '3']).html).toBe(html);
  });

  it('doctor --format github appends its summary to $GITHUB_STEP_SUMMARY after what is there', () => {
    const repo = fixtureRepo();
    const summary = path.join(tempDir('cairn-summary-'), 'summary.md');
    writeFileSync(summary, '## earlier step\n\n');
    const result = runCli(['doctor', '--format', 'github'], { cwd: repo, env: { GITHUB_STEP_SUMMARY: summary } });
    expect(result.code).toBe(1);
    const doctor = JSON.parse(runCli(['doctor', '--format', 'json'], { cwd: repo }).stdout) as { summary: { errors: number; warnings: number; infos: number; migrations: number; migrations_with_findings: number } };
    const s = doctor.summary;
    expect(readFileSync(summary, 'utf8')).toBe(
      `## earlier step\n\n### cairn doctor\n\n✗ **failed** (findings at or above error): ${s.errors} errors, ${s.warnings} warning${s.warnings === 1 ? '' : 's'}, ${s.infos} info; ${s.migrations} migrations checked, ${s.migrations_with_findings} with findings.\n\n`,
    );
    expect(runCli(['doctor', '--format', 'text'], { cwd: repo, env: { GITHUB_STEP_SUMMARY: summary } }).code).toBe(1);
    expect(readFileSync(summary, 'utf8').match(/### cairn doctor/g)).toHaveLength(1);
  });

  it('refuses --open with Markdown and a --now that is not a time', () => {
    const repo = fixtureRepo({ commit: false });
    const open = runCli(['report', '--format', 'markdown', '--open'], { cwd: repo });
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('Error: --open needs an HTML report written to a file.');
    const now = runCli(['report', '--now', 'yesterday'], { cwd: repo });
    expect(now.code).toBe(2);
    expect(now.stderr).toContain("Error: --now must be an ISO-8601 time with an offset (2026-05-01T12:00:00Z) or 'now', got 'yesterday'.");
  });
});
