import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyDiscoveredPhases, discoverPhases } from '../../src/migration/phase-docs.js';
import { seedManifest } from '../../src/migration/manifest.js';
import type { Step } from '../../src/migration/graph.js';
import { checkStepContract } from '../../src/planning/step-contract.js';
import { CairnError } from '../../src/util/errors.js';
import { tempDir } from '../support/tmp.js';

const NOW = '2026-06-01T10:00:00.000+00:00';
const SLUG = 'm1';
const APPROACHES_NEEDED = 'the step needs 2 to 4 approaches/*.md files, none of them empty';
const PLAN_NEEDED =
  'the step must leave a non-empty plan.md and phase-<n>-<name>.md docs, each with a ## Precondition and a ## Definition of Done heading';

/** A workspace holding `files` (relative path ⇒ text). */
function workspace(files: Record<string, string>): string {
  const dir = path.join(tempDir('cairn-contract-'), SLUG);
  mkdirSync(dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** What checking `step` on a workspace holding `files` says: `ok` or the refusal's message. */
async function verdict(step: Step, files: Record<string, string>, stdout = 'done\n', adjust?: (dir: string) => void): Promise<string> {
  const dir = workspace(files);
  adjust?.(dir);
  let manifest = seedManifest(SLUG, NOW);
  if (step === 'expand' || step === 'revise') manifest = applyDiscoveredPhases(manifest, await discoverPhases(dir, SLUG), NOW);
  try {
    checkStepContract({ step, repoRoot: path.dirname(dir), slug: SLUG, workspaceDir: dir, stdout, manifest });
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(CairnError);
    expect((error as CairnError).code).toBe('failed');
    return (error as Error).message;
  }
}

const approaches = (...names: string[]): Record<string, string> =>
  Object.fromEntries(names.map((name) => [`approaches/${name}.md`, `# ${name}\n\nAn approach.\n`]));

const PHASE = '# Phase\n\n## Precondition\nThe old API is in use.\n\n## Definition of Done\nThe new API exists.\n';

describe('approaches: 2 to 4 non-empty approaches/*.md files', () => {
  it.each([
    [[], 'the workspace has no approach files'],
    [['a'], 'the workspace has 1 approach file (approaches/a.md)'],
    [['a', 'b', 'c', 'd', 'e'], 'the workspace has 5 approach files (approaches/a.md, approaches/b.md, approaches/c.md, approaches/d.md, approaches/e.md)'],
  ])('%j is refused', async (names, has) => {
    expect(await verdict('approaches', approaches(...names))).toBe(`planning.approaches failed: ${has}; ${APPROACHES_NEEDED}`);
  });

  it.each([[['a', 'b']], [['a', 'b', 'c', 'd']]])('%j is accepted', async (names) => {
    expect(await verdict('approaches', approaches(...names))).toBe('ok');
  });

  it('names an empty or non-regular approach file first, and counts only .md files', async () => {
    expect(await verdict('approaches', { ...approaches('a', 'b'), 'approaches/c.md': ' \n\t\n' })).toBe(
      `planning.approaches failed: approaches/c.md is empty; the workspace has 2 approach files (approaches/a.md, approaches/b.md); ${APPROACHES_NEEDED}`,
    );
    expect(await verdict('approaches', { ...approaches('a'), 'approaches/notes.txt': 'x\n' })).toBe(
      `planning.approaches failed: the workspace has 1 approach file (approaches/a.md); ${APPROACHES_NEEDED}`,
    );
    const linked = await verdict('approaches', approaches('a', 'b'), 'done\n', (dir) => symlinkSync('a.md', path.join(dir, 'approaches', 'c.md')));
    expect(linked).toBe(
      `planning.approaches failed: approaches/c.md is not a regular file; the workspace has 2 approach files (approaches/a.md, approaches/b.md); ${APPROACHES_NEEDED}`,
    );
  });
});

describe('pick-best: the output names one of the approaches', () => {
  const files = approaches('big-bang', 'incremental');
  it.each([
    'Chosen: incremental. Smallest safe steps.',
    'INCREMENTAL wins.',
    'Go with approaches/big-bang.md.',
    '## Choice\n\n**big-bang**, because the module is small.',
  ])('%j is accepted', async (stdout) => {
    expect(await verdict('pick-best', files, stdout)).toBe('ok');
  });

  it.each(['The first one.', 'Migrate incrementally.', 'A big-bang-rewrite is simplest.', 'big bang'])('%j names none', async (stdout) => {
    expect(await verdict('pick-best', files, stdout)).toBe(
      'planning.pick-best failed: the output names none of the approaches (big-bang, incremental); ' +
        'it must name the chosen one as its file is named, e.g. big-bang or approaches/big-bang.md',
    );
  });

  it('an empty output, or no approaches to pick from, is refused', async () => {
    expect(await verdict('pick-best', files, '\n')).toBe(
      'planning.pick-best failed: the output is empty (big-bang, incremental); ' +
        'it must name the chosen one as its file is named, e.g. big-bang or approaches/big-bang.md',
    );
    expect(await verdict('pick-best', {}, 'incremental')).toBe(
      'planning.pick-best failed: the workspace has no approaches/*.md files to pick from; the approaches step must write them first',
    );
  });
});

describe('expand and revise: plan.md and phase docs that pass the ready rules', () => {
  it.each(['expand', 'revise'] as const)('%s accepts a complete plan', async (step) => {
    expect(await verdict(step, { 'plan.md': '# Plan\n', 'phase-1-add.md': PHASE, 'phase-2-remove.md': PHASE })).toBe('ok');
  });

  it.each([
    [{ 'phase-1-add.md': PHASE }, 'plan.md is missing'],
    [{ 'plan.md': '\n \n', 'phase-1-add.md': PHASE }, 'plan.md is empty'],
    [{ 'plan.md': '# Plan\n' }, 'there are no phase-<n>-<name>.md docs'],
    [{ 'plan.md': '# Plan\n', 'phase-1-add.md': '## Definition of Done\nx\n' }, 'phase-1-add.md has no ## Precondition heading'],
    [
      { 'plan.md': '# Plan\n', 'phase-1-add.md': PHASE, 'phase-2-remove.md': '# Remove\n' },
      'phase-2-remove.md has no ## Precondition heading; phase-2-remove.md has no ## Definition of Done heading',
    ],
    [{}, 'plan.md is missing; there are no phase-<n>-<name>.md docs'],
    [
      { 'plan.md': '# Plan\n', 'phase-1-add.md': PHASE, 'phase-01-remove.md': PHASE },
      "phase-1-add.md: Phase doc index 1 is duplicated by 'phase-01-remove.md' and 'phase-1-add.md'",
    ],
  ])('%j is refused: %s', async (files, problems) => {
    expect(await verdict('expand', files)).toBe(`planning.expand failed: ${problems}; ${PLAN_NEEDED}`);
  });
});

describe('steps without files to check', () => {
  it.each(['review', 'review-2', 'final-review'] as const)('%s has no workspace contract', async (step) => {
    expect(await verdict(step, {})).toBe('ok');
  });
});
