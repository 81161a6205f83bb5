import { describe, expect, it } from 'vitest';
import type { ReportDoc, ReportMigration } from '../../src/app/index.js';
import { htmlReportParts, renderHtmlReport, renderMarkdown, renderMarkdownReport, type ReportData } from '../../src/outputs/index.js';
import { seedManifest } from '../../src/migration/index.js';

/* The report's renderers on hand-made data: Markdown stays inert, names are escaped, the size budget holds. */

describe('renderMarkdown', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['<a href="javascript:alert(1)">x</a>', '&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;'],
    ['[x](javascript:alert(1))', '[x](javascript:alert(1))'],
    ['[x](JaVaScRiPt:alert(1))', '[x](JaVaScRiPt:alert(1))'],
    ['[x](vbscript:msgbox(1))', '[x](vbscript:msgbox(1))'],
    ['[x](data:text/html;base64,PHNjcmlwdD4=)', '[x](data:text/html;base64,PHNjcmlwdD4=)'],
    ['![x](javascript:alert(1))', '![x](javascript:alert(1))'],
    ['<javascript:alert(1)>', '&lt;javascript:alert(1)&gt;'],
  ])('leaves %s inert', (source, shown) => {
    const html = renderMarkdown(source);
    expect(html).toContain(shown);
    expect(html).not.toMatch(/<(script|img|a)\b/i);
  });

  it('keeps ordinary Markdown and web links', () => {
    expect(renderMarkdown('# Plan\n\n- one\n\n[docs](https://example.invalid/a?b=1&c=2)\n')).toBe(
      '<h1>Plan</h1>\n<ul>\n<li>one</li>\n</ul>\n<p><a href="https://example.invalid/a?b=1&amp;c=2">docs</a></p>\n',
    );
  });
});

function migration(slug: string, overrides: Partial<ReportMigration> = {}): ReportMigration {
  return {
    slug,
    dir: `migrations/${slug}`,
    manifest: seedManifest(slug, '2026-05-01T10:00:00Z'),
    manifestError: null,
    state: null,
    stateError: null,
    awaitingReview: null,
    reviews: [],
    docs: { files: ['plan.md'] },
    findings: [],
    ...overrides,
  };
}

/** The report of `migrations`, each with the plan `migration()` gives it unless `docs` reads others. */
function reportData(migrations: ReportMigration[], now: string | null = null, docs?: (migration: ReportMigration) => ReportDoc[]): ReportData {
  const plan = (m: ReportMigration): ReportDoc[] => [{ file: 'plan.md', text: `# Plan of ${m.slug}\n\n${'Words. '.repeat(200)}\n` }];
  return { migrations, projectGroups: [], now, readDocs: docs ?? plan };
}

describe('renderHtmlReport', () => {
  it('escapes what the files hold wherever it shows it', () => {
    const data = reportData([migration('a', { manifestError: null, awaitingReview: '<b onmouseover=x>"quoted"</b>' })]);
    const html = renderHtmlReport(data, null);
    expect(html).toContain('human review: &lt;b onmouseover=x&gt;&quot;quoted&quot;&lt;/b&gt;');
    expect(html).not.toContain('<b onmouseover');
  });

  it('leaves out the docs of the last migrations, and says so, to stay under its size budget', () => {
    const data = reportData(['a', 'b', 'c', 'd'].map((slug) => migration(slug)));
    const full = renderHtmlReport(data, null);
    expect(full.match(/<article class="doc"/g)).toHaveLength(4);
    const budget = Buffer.byteLength(full) - 1000;
    const read: string[] = [];
    const small = renderHtmlReport({ ...data, readDocs: (m) => (read.push(m.slug), data.readDocs(m)) }, null, { maxBytes: budget });
    expect(Buffer.byteLength(small)).toBeLessThanOrEqual(budget);
    // The docs of migrations after the first that did not fit are never read.
    expect(read).toEqual(['a', 'b', 'c', 'd']);
    const tiny: string[] = [];
    const page = renderHtmlReport({ ...data, readDocs: (m) => (tiny.push(m.slug), data.readDocs(m)) }, null, { maxBytes: Buffer.byteLength(small) - 2000 });
    expect(page.match(/<article class="doc"/g)).toHaveLength(1);
    expect(tiny).toEqual(['a', 'b']);
    expect(htmlReportParts(data, null, { maxBytes: budget }).join('')).toBe(small);
    expect(small.match(/<article class="doc"/g)).toHaveLength(3);
    expect(small).toContain('<section class="mig" id="m-d">');
    expect(small).toContain('Plan and phase docs left out to keep this report small: see <code>migrations/d</code>.');
  });

  it('measures ages from the given time, and shows none without one', () => {
    const data = reportData([migration('a')], '2026-05-04T11:00:00Z');
    expect(renderHtmlReport(data, null)).toContain('plan · touched 3d ago');
    expect(renderHtmlReport({ ...data, now: null }, null)).not.toContain(' ago');
  });
});

describe('renderMarkdownReport', () => {
  it('keeps table cells on one line and without HTML', () => {
    const text = renderMarkdownReport(reportData([migration('a', { awaitingReview: 'line one\n<script>|pipe' })]));
    expect(text).toContain('| a | ⚑ Awaiting review | human review: line one &#60;script&#62;&#124;pipe | — | 0 |');
  });
});

describe('links between the docs of a migration', () => {
  it('point into the page; other relative links stay as written', () => {
    const docs = [
      { file: 'plan.md', text: '1. [Phase 1](phase-1-add-api.md)\n2. [Phase 2](./phase-2-remove.md)\n3. [elsewhere](../other/plan.md)\n' },
      { file: 'phase-1-add-api.md', text: '# Phase 1\n' },
      { file: 'phase-2-remove.md', text: '# Phase 2\n' },
    ];
    const files = { files: docs.map((doc) => doc.file) };
    const html = renderHtmlReport(reportData([migration('a', { docs: files })], null, () => docs), null);
    expect(html).toContain('<a href="#m-a--phase-1-add-api.md">Phase 1</a>');
    expect(html).toContain('<a href="#m-a--phase-2-remove.md">Phase 2</a>');
    expect(html).toContain('<a href="../other/plan.md">elsewhere</a>');
    expect(html).toContain('<article class="doc" id="m-a--phase-1-add-api.md" data-file="phase-1-add-api.md">');
  });
});

describe('an empty project', () => {
  it('says there are no migrations', () => {
    const data = reportData([]);
    expect(renderMarkdownReport(data)).toBe('## cairn migrations\n\nNo migrations.\n');
    expect(renderHtmlReport(data, null)).toContain('<h1>Migrations</h1><p class="meta">0 migrations.</p>');
  });
});
