import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkMigrationDir, doctorAll, RULES, type DoctorGroup } from '../../src/consistency/index.js';
import { VALIDATION_MODES, type Finding } from '../../src/migration/index.js';
import { runCli } from '../support/cli.js';
import { DONE, PLANNING, READY } from '../support/fixture.js';
import { cairnRepo, type CairnRepo } from '../support/repo.js';

/*
 * Random damage to valid migrations never makes the checks throw: every run
 * ends in well-formed findings, and the CLI in the documented exit code.
 */

const CODES = new Set(RULES.map((rule) => rule.code));

type Mutation =
  | { kind: 'delete'; target: number }
  | { kind: 'truncate'; target: number; at: number }
  | { kind: 'garbage'; target: number; bytes: Uint8Array }
  | { kind: 'swap-type'; file: 'manifest.json' | '.planning/state.json'; pathPick: number; value: unknown }
  | { kind: 'symlink'; target: number; to: 'outside' | 'self' | 'missing' | 'parent-dir' | 'sibling' }
  | { kind: 'rename-doc'; target: number; name: string }
  | { kind: 'to-directory'; target: number }
  | { kind: 'conflict'; file: 'manifest.json' | '.planning/state.json' }
  | { kind: 'append'; file: '.planning/sums' | '.planning/reviews.jsonl' | '.planning/stages/extra.stdout.md'; text: string };

const target = fc.nat({ max: 10_000 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), target }),
  fc.record({ kind: fc.constant('truncate' as const), target, at: fc.nat({ max: 4000 }) }),
  fc.record({ kind: fc.constant('garbage' as const), target, bytes: fc.uint8Array({ maxLength: 64 }) }),
  fc.record({
    kind: fc.constant('swap-type' as const),
    file: fc.constantFrom('manifest.json' as const, '.planning/state.json' as const),
    pathPick: fc.nat({ max: 1000 }),
    value: fc.jsonValue({ maxDepth: 2 }),
  }),
  fc.record({
    kind: fc.constant('symlink' as const),
    target,
    to: fc.constantFrom('outside' as const, 'self' as const, 'missing' as const, 'parent-dir' as const, 'sibling' as const),
  }),
  fc.record({
    kind: fc.constant('rename-doc' as const),
    target,
    name: fc.oneof(
      fc.constantFrom('phase-1-split-module.md', 'phase-01-x.md', 'phase-2-.md', 'phase-x-y.md', 'phase-3-docs-and-cleanup.md'),
      fc.tuple(fc.nat({ max: 20 }), fc.stringMatching(/^[a-z-]{1,12}$/)).map(([n, name]) => `phase-${n}-${name}.md`),
    ),
  }),
  fc.record({ kind: fc.constant('to-directory' as const), target }),
  fc.record({ kind: fc.constantFrom('conflict' as const), file: fc.constantFrom('manifest.json' as const, '.planning/state.json' as const) }),
  fc.record({
    kind: fc.constant('append' as const),
    file: fc.constantFrom('.planning/sums' as const, '.planning/reviews.jsonl' as const, '.planning/stages/extra.stdout.md' as const),
    text: fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.constantFrom(`${'a'.repeat(64)}  plan.md\n`, `${'b'.repeat(64)}  ../x\n`, '{"reviewer":"r","decision":"approve"}\n'),
    ),
  }),
);

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(full);
    }
  };
  walk(dir);
  return out;
}

/** JSON paths (as key lists) into a parsed document, for swapping one value's type. */
function jsonPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  if (Array.isArray(value)) value.forEach((item, i) => out.push([...prefix, i], ...jsonPaths(item, [...prefix, i])));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) out.push([...prefix, key], ...jsonPaths(item, [...prefix, key]));
  }
  return out;
}

function apply(t: CairnRepo, slug: string, m: Mutation): void {
  const dir = t.dir(slug);
  const files = filesUnder(dir);
  const pick = (n: number) => files[n % Math.max(1, files.length)];
  switch (m.kind) {
    case 'delete': {
      const file = pick(m.target);
      if (file !== undefined) rmSync(file, { force: true });
      return;
    }
    case 'truncate': {
      const file = pick(m.target);
      if (file !== undefined && lstatSync(file).isFile()) writeFileSync(file, readFileSync(file).subarray(0, m.at));
      return;
    }
    case 'garbage': {
      const file = pick(m.target);
      if (file !== undefined && lstatSync(file).isFile()) writeFileSync(file, m.bytes);
      return;
    }
    case 'swap-type': {
      const file = path.join(dir, m.file);
      let doc: unknown;
      try {
        doc = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        return;
      }
      const paths = jsonPaths(doc);
      const chosen = paths[m.pathPick % Math.max(1, paths.length)];
      if (chosen === undefined) return;
      let parent = doc as Record<string | number, unknown>;
      for (const key of chosen.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
      parent[chosen[chosen.length - 1] as string | number] = m.value;
      writeFileSync(file, JSON.stringify(doc, null, 2));
      return;
    }
    case 'symlink': {
      const file = pick(m.target);
      if (file === undefined) return;
      rmSync(file, { force: true });
      const to = {
        outside: path.join(t.repo, '.planning', 'config.json'),
        self: path.basename(file),
        missing: 'does-not-exist',
        'parent-dir': '..',
        sibling: path.basename(files[0] ?? 'x'),
      }[m.to];
      symlinkSync(to, file);
      return;
    }
    case 'rename-doc': {
      const docs = files.filter((file) => path.dirname(file) === dir && /^phase-/.test(path.basename(file)));
      const doc = docs[m.target % Math.max(1, docs.length)];
      if (doc !== undefined) renameSync(doc, path.join(dir, m.name));
      return;
    }
    case 'to-directory': {
      const file = pick(m.target);
      if (file === undefined) return;
      rmSync(file, { force: true });
      mkdirSync(file);
      return;
    }
    case 'conflict': {
      const file = path.join(dir, m.file);
      const text = (() => {
        try {
          return readFileSync(file, 'utf8');
        } catch {
          return '';
        }
      })();
      const lines = text.split('\n');
      lines.splice(Math.floor(lines.length / 2), 0, '<<<<<<< HEAD', '  "name": "a",', '=======', '  "name": "b",', '>>>>>>> theirs');
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, lines.join('\n'));
      return;
    }
    case 'append': {
      const file = path.join(dir, m.file);
      try {
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, m.text, { flag: 'a' });
      } catch {
        // the parent may have been turned into a file by an earlier mutation
      }
      return;
    }
  }
}

/** Applies each mutation that still makes sense after the earlier ones. */
function damageAll(t: CairnRepo, mutations: [string, Mutation][]): void {
  for (const [slug, m] of mutations) {
    try {
      apply(t, slug, m);
    } catch {
      // an earlier mutation made this one impossible (e.g. the file became a directory)
    }
  }
}

function expectWellFormed(findings: Finding[]): void {
  for (const finding of findings) {
    expect(CODES.has(finding.code), finding.code).toBe(true);
    expect(['error', 'warning', 'info']).toContain(finding.severity);
    expect(path.isAbsolute(finding.path)).toBe(true);
    expect(finding.message.length).toBeGreaterThan(0);
    expect(finding.hint.length).toBeGreaterThan(0);
    expect(finding.code).not.toBe('check-failed');
  }
}

const SLUGS = [READY, PLANNING, DONE];
const damage = fc.array(fc.tuple(fc.constantFrom(...SLUGS), mutation), { minLength: 1, maxLength: 5 });

/** Damages the repository, then runs every check on it. */
async function checkAll(t: CairnRepo, mutations: [string, Mutation][]): Promise<void> {
  damageAll(t, mutations);
  for (const slug of SLUGS) {
    for (const mode of VALIDATION_MODES) {
      expectWellFormed(await checkMigrationDir(t.dir(slug), { mode, repoRoot: t.repo }));
    }
  }
  const groups: DoctorGroup[] = [];
  const configPath = path.join(t.repo, '.planning', 'config.json');
  for await (const group of doctorAll({ repoRoot: t.repo, liveRoot: t.live, configPath })) groups.push(group);
  expect(groups.map((g) => g.slug)).toEqual(['.planning', ...[...SLUGS].sort(), '__transactions__']);
  expectWellFormed(groups.flatMap((g) => g.findings));
}

describe('random damage never makes the checks throw', () => {
  it('checkMigrationDir (every mode) and doctorAll end in well-formed findings', async () => {
    await fc.assert(
      fc.asyncProperty(damage, async (mutations) => {
        const t = cairnRepo({ fixtures: SLUGS });
        try {
          await checkAll(t, mutations);
        } finally {
          rmSync(t.repo, { recursive: true, force: true });
        }
      }),
      { numRuns: Number(process.env['CAIRN_PROPERTY_RUNS'] ?? 60) },
    );
  }, 600_000);

  it('the CLI exits 1 exactly when an error finding is printed, else 0, with nothing on stderr', async () => {
    await fc.assert(
      fc.asyncProperty(damage, async (mutations) => {
        const t = cairnRepo({ fixtures: SLUGS });
        damageAll(t, mutations);
        const result = runCli(['doctor', '--all', '--format', 'json'], { cwd: t.repo });
        expect(result.stderr).toBe('');
        const doc = JSON.parse(result.stdout) as { findings: { severity: string; code: string }[]; summary: { errors: number } };
        const errors = doc.findings.filter((f) => f.severity === 'error').length;
        expect(doc.summary.errors).toBe(errors);
        expect(result.code).toBe(errors > 0 ? 1 : 0);
        for (const finding of doc.findings) expect(CODES.has(finding.code)).toBe(true);
      }),
      { numRuns: 12 },
    );
  }, 300_000);
});
