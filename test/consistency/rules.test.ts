import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMigrationDir, doctorMigration, RULES } from '../../src/consistency/index.js';
import type { CheckOptions, ValidationMode } from '../../src/migration/index.js';
import { DONE, PLANNING, READY } from '../support/fixture.js';
import { cairnRepo, type CairnRepo } from '../support/repo.js';
import { brief, editJson } from './helpers.js';

/*
 * Every migration-directory rule, made to fire and shown silent where its
 * mode and status gating say so. One row per case: the fixture migration it
 * starts from, the mode, the mutation, and the exact findings expected
 * (severity, code, path relative to the migration dir, message).
 */

type Expected = [severity: string, code: string, relPath: string, message: string];

interface Case {
  name: string;
  slug: string;
  mode: ValidationMode;
  /** Run as `cairn doctor <slug>` (adds the planning-state findings). */
  doctor?: boolean;
  options?: (t: CairnRepo) => Partial<CheckOptions> & { dir?: string };
  mutate?: (dir: string, t: CairnRepo) => void;
  expected: Expected[];
}

const MODES: ValidationMode[] = ['planning-snapshot', 'ready-publish', 'execution-gate', 'doctor'];
const CONFLICT = '<<<<<<< HEAD\n  "x": 1\n=======\n  "x": 2\n>>>>>>> branch\n';

function rm(dir: string, rel: string): void {
  rmSync(path.join(dir, rel), { recursive: true, force: true });
}

function write(dir: string, rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), text);
}

function manifest(dir: string, edit: (value: Record<string, unknown>) => void): void {
  editJson(path.join(dir, 'manifest.json'), edit);
}

function phases(value: Record<string, unknown>): Record<string, unknown>[] {
  return value['phases'] as Record<string, unknown>[];
}

function sha256(dir: string, rel: string): string {
  return createHash('sha256').update(readFileSync(path.join(dir, rel))).digest('hex');
}

/** A `.planning/sums` recording PLANNING's three accepted stage outputs as they are now. */
function writeSums(dir: string): void {
  const files = ['approaches', 'pick-best', 'expand'].map((step) => `.planning/stages/${step}.stdout.md`);
  write(dir, '.planning/sums', files.map((file) => `${sha256(dir, file)}  ${file}\n`).join(''));
}

const PHASE_DOC = '# Extra\n\n## Precondition\nnone\n\n## Definition of Done\ndone\n';
const REVIEW = {
  reviewer: 'Ada <ada@example.com>',
  decision: 'approve',
  at: '2026-05-01T10:00:00.000-07:00',
  snapshot_id: 'a'.repeat(64),
};

const FIRE: Case[] = [
  ...MODES.map(
    (mode): Case => ({
      name: `missing-manifest (${mode})`,
      slug: READY,
      mode,
      mutate: (dir) => rm(dir, 'manifest.json'),
      expected: [['error', 'missing-manifest', 'manifest.json', 'Migration manifest is missing.']],
    }),
  ),
  {
    name: 'missing-manifest is reported alone',
    slug: READY,
    mode: 'ready-publish',
    mutate: (dir) => {
      rm(dir, 'manifest.json');
      rm(dir, 'plan.md');
      write(dir, 'phase-01-dup.md', PHASE_DOC);
    },
    expected: [['error', 'missing-manifest', 'manifest.json', 'Migration manifest is missing.']],
  },
  {
    name: 'a dangling manifest symlink counts as missing',
    slug: READY,
    mode: 'doctor',
    mutate: (dir) => {
      rm(dir, 'manifest.json');
      symlinkSync('nowhere.json', path.join(dir, 'manifest.json'));
    },
    expected: [['error', 'missing-manifest', 'manifest.json', 'Migration manifest is missing.']],
  },
  {
    name: 'invalid-manifest (reported alone)',
    slug: READY,
    mode: 'doctor',
    mutate: (dir) => {
      manifest(dir, (value) => (value['status'] = 'finished'));
      rm(dir, 'plan.md');
    },
    expected: [['error', 'invalid-manifest', 'manifest.json', "Unknown migration status: 'finished'"]],
  },
  {
    name: 'invalid-manifest quotes the JSON parser',
    slug: READY,
    mode: 'planning-snapshot',
    mutate: (dir) => write(dir, 'manifest.json', '{"name": }\n'),
    expected: [['error', 'invalid-manifest', 'manifest.json', '']],
  },
  {
    name: 'merge-conflict in manifest.json (instead of invalid-manifest)',
    slug: READY,
    mode: 'execution-gate',
    mutate: (dir) => write(dir, 'manifest.json', `{\n${CONFLICT}}\n`),
    expected: [
      ['error', 'merge-conflict', 'manifest.json', 'Unresolved git merge conflict in manifest.json (first conflict marker on line 2).'],
    ],
  },
  {
    name: 'manifest-slug-mismatch',
    slug: READY,
    mode: 'planning-snapshot',
    mutate: (dir) => manifest(dir, (value) => (value['name'] = 'someone-else')),
    expected: [
      ['error', 'manifest-slug-mismatch', 'manifest.json', `Manifest name 'someone-else' does not match directory slug '${READY}'.`],
    ],
  },
  {
    name: 'manifest-slug-mismatch against the given slug, even for a staged copy',
    slug: READY,
    mode: 'ready-publish',
    options: (t) => {
      const staged = path.join(t.live, '__transactions__', 'a'.repeat(32), 'staged');
      cpSync(t.dir(READY), staged, { recursive: true });
      return { dir: staged, slug: 'other-slug', publishedRoot: t.dir(READY) };
    },
    expected: [
      ['error', 'manifest-slug-mismatch', 'manifest.json', `Manifest name '${READY}' does not match directory slug 'other-slug'.`],
    ],
  },
  {
    name: 'duplicate-phase-doc-index (01 = 1), on the later file',
    slug: READY,
    mode: 'planning-snapshot',
    mutate: (dir) => write(dir, 'phase-01-extra.md', PHASE_DOC),
    expected: [
      [
        'error',
        'duplicate-phase-doc-index',
        'phase-1-docs-and-cleanup.md',
        "Phase doc index 1 is duplicated by 'phase-01-extra.md' and 'phase-1-docs-and-cleanup.md'.",
      ],
    ],
  },
  {
    name: 'duplicate-phase-doc-name',
    slug: READY,
    mode: 'execution-gate',
    mutate: (dir) => write(dir, 'phase-9-split-module.md', PHASE_DOC),
    expected: [
      [
        'error',
        'duplicate-phase-doc-name',
        'phase-9-split-module.md',
        "Phase doc name 'split-module' is duplicated by 'phase-2-split-module.md' and 'phase-9-split-module.md'.",
      ],
    ],
  },
  ...(['doctor', 'execution-gate', 'ready-publish'] as const).map(
    (mode): Case => ({
      name: `missing-plan on a ready migration (${mode})`,
      slug: READY,
      mode,
      mutate: (dir) => rm(dir, 'plan.md'),
      expected: [['error', 'missing-plan', 'plan.md', 'Ready and in-progress migrations require plan.md.']],
    }),
  ),
  {
    name: 'missing-plan on a planning migration (ready-publish)',
    slug: PLANNING,
    mode: 'ready-publish',
    mutate: (dir) => rm(dir, 'plan.md'),
    expected: [['error', 'missing-plan', 'plan.md', 'Ready and in-progress migrations require plan.md.']],
  },
  {
    name: 'missing-plan on an in-progress migration (doctor)',
    slug: READY,
    mode: 'doctor',
    mutate: (dir) => {
      manifest(dir, (value) => (value['status'] = 'in-progress'));
      rm(dir, 'plan.md');
      mkdirSync(path.join(dir, 'plan.md'));
    },
    expected: [['error', 'missing-plan', 'plan.md', 'Ready and in-progress migrations require plan.md.']],
  },
  {
    name: 'invalid-phase-file-reference: empty, ".", absolute, ".."',
    slug: READY,
    mode: 'planning-snapshot',
    mutate: (dir) =>
      manifest(dir, (value) => {
        const list = phases(value);
        (list[0] as Record<string, unknown>)['file'] = '';
        (list[1] as Record<string, unknown>)['file'] = './.';
        (list[2] as Record<string, unknown>)['file'] = '/etc/hosts';
        list.push({ ...list[0], name: 'up', file: 'docs/../../x.md' });
      }),
    expected: [
      [
        'error',
        'invalid-phase-file-reference',
        'manifest.json',
        "Manifest phase 'docs-and-cleanup' has an invalid file reference ''; it must be a relative path inside the migration directory.",
      ],
      [
        'error',
        'invalid-phase-file-reference',
        'manifest.json',
        "Manifest phase 'split-module' has an invalid file reference './.'; it must be a relative path inside the migration directory.",
      ],
      [
        'error',
        'invalid-phase-file-reference',
        'manifest.json',
        "Manifest phase 'switch-default' has an invalid file reference '/etc/hosts'; it must be a relative path inside the migration directory.",
      ],
      [
        'error',
        'invalid-phase-file-reference',
        'manifest.json',
        "Manifest phase 'up' has an invalid file reference 'docs/../../x.md'; it must be a relative path inside the migration directory.",
      ],
    ],
  },
  {
    name: 'phase-file-escapes-migration through a symlink (dangling or not)',
    slug: READY,
    mode: 'planning-snapshot',
    mutate: (dir, t) => {
      writeFileSync(path.join(t.repo, 'outside.md'), PHASE_DOC);
      symlinkSync('../../outside.md', path.join(dir, 'out.md'));
      symlinkSync('/nonexistent/elsewhere.md', path.join(dir, 'gone.md'));
      manifest(dir, (value) => {
        (phases(value)[0] as Record<string, unknown>)['file'] = 'out.md';
        (phases(value)[1] as Record<string, unknown>)['file'] = 'gone.md';
      });
    },
    expected: [
      ['error', 'phase-file-escapes-migration', 'out.md', "Manifest phase file 'out.md' resolves outside the migration directory."],
      ['error', 'phase-file-escapes-migration', 'gone.md', "Manifest phase file 'gone.md' resolves outside the migration directory."],
    ],
  },
  {
    name: 'phase-file-not-regular: a symlink inside, a directory',
    slug: READY,
    mode: 'execution-gate',
    mutate: (dir) => {
      symlinkSync('phase-1-docs-and-cleanup.md', path.join(dir, 'alias.md'));
      mkdirSync(path.join(dir, 'docs'));
      manifest(dir, (value) => {
        (phases(value)[0] as Record<string, unknown>)['file'] = 'alias.md';
        (phases(value)[1] as Record<string, unknown>)['file'] = 'docs';
      });
    },
    expected: [
      ['error', 'phase-file-not-regular', 'alias.md', "Manifest phase file 'alias.md' must be a regular file, not a symlink."],
      ['error', 'phase-file-not-regular', 'docs', "Manifest phase file 'docs' is not a regular file."],
    ],
  },
  {
    name: 'missing-phase-file',
    slug: READY,
    mode: 'doctor',
    mutate: (dir) => rm(dir, 'phase-2-split-module.md'),
    expected: [['error', 'missing-phase-file', 'phase-2-split-module.md', "Manifest phase file 'phase-2-split-module.md' is missing."]],
  },
  {
    name: 'missing-manifest-phases (then no invalid-current-phase)',
    slug: READY,
    mode: 'doctor',
    mutate: (dir) => {
      manifest(dir, (value) => {
        value['phases'] = [];
        value['current_phase'] = '';
      });
      for (const file of ['phase-1-docs-and-cleanup.md', 'phase-2-split-module.md', 'phase-3-switch-default.md']) rm(dir, file);
    },
    expected: [['error', 'missing-manifest-phases', 'manifest.json', 'Ready migrations require at least one manifest phase.']],
  },
  ...(['doctor', 'ready-publish'] as const).map(
    (mode): Case => ({
      name: `invalid-current-phase: "" (${mode})`,
      slug: READY,
      mode,
      mutate: (dir) => manifest(dir, (value) => (value['current_phase'] = '')),
      expected: [['error', 'invalid-current-phase', 'manifest.json', "Current phase '' does not match any manifest phase."]],
    }),
  ),
  {
    name: 'invalid-current-phase on a done migration (ready-publish)',
    slug: DONE,
    mode: 'ready-publish',
    expected: [['error', 'invalid-current-phase', 'manifest.json', "Current phase '' does not match any manifest phase."]],
  },
  {
    name: 'phase-doc-not-in-manifest: one per name, sorted, literal glob path',
    slug: READY,
    mode: 'doctor',
    mutate: (dir) => {
      write(dir, 'phase-4-zeta.md', PHASE_DOC);
      write(dir, 'phase-5-alpha.md', PHASE_DOC);
    },
    expected: [
      ['error', 'phase-doc-not-in-manifest', 'phase-*-alpha.md', "Phase doc 'alpha' is not a manifest phase."],
      ['error', 'phase-doc-not-in-manifest', 'phase-*-zeta.md', "Phase doc 'zeta' is not a manifest phase."],
    ],
  },
  {
    name: 'missing-phase-precondition and missing-phase-definition-of-done, per phase in order',
    slug: READY,
    mode: 'ready-publish',
    mutate: (dir) => {
      write(dir, 'phase-2-split-module.md', '# Split\n\n##  precondition  \nok\n\nno done heading here\n');
      write(dir, 'phase-3-switch-default.md', '# Switch\n\n## Preconditions\n\n## DEFINITION OF DONE\n');
    },
    expected: [
      [
        'error',
        'missing-phase-definition-of-done',
        'phase-2-split-module.md',
        'Phase docs require a ## Definition of Done section before ready publish.',
      ],
      ['error', 'missing-phase-precondition', 'phase-3-switch-default.md', 'Phase docs require a ## Precondition section before ready publish.'],
    ],
  },
  {
    name: 'planning-state-missing (doctor on a planning migration)',
    slug: PLANNING,
    mode: 'doctor',
    doctor: true,
    mutate: (dir) => rm(dir, '.planning/state.json'),
    expected: [['error', 'planning-state-missing', '.planning/state.json', 'Planning migration is missing .planning/state.json.']],
  },
  {
    name: 'planning-state-invalid, whitespace collapsed to one line',
    slug: PLANNING,
    mode: 'doctor',
    doctor: true,
    mutate: (dir) =>
      editJson(path.join(dir, '.planning', 'state.json'), (state) => {
        const steps = state['completed_steps'] as { outputs: { stdout: string } }[];
        (steps[0] as { outputs: { stdout: string } }).outputs.stdout = `migrations/${PLANNING}/.planning/stages/two\n\tlines.md`;
      }),
    expected: [
      [
        'error',
        'planning-state-invalid',
        '.planning/state.json',
        `missing planning output: migrations/${PLANNING}/.planning/stages/two lines.md`,
      ],
    ],
  },
  {
    name: 'migration-moved: renamed by hand (instead of planning-state-invalid)',
    slug: PLANNING,
    mode: 'doctor',
    doctor: true,
    options: (t) => ({ dir: t.dir('renamed-pagination') }),
    mutate: (dir, t) => renameSync(dir, t.dir('renamed-pagination')),
    expected: [
      [
        'error',
        'migration-moved',
        '.planning/state.json',
        `This migration was moved or renamed from ${PLANNING}: .planning/state.json still records its stage outputs under migrations/${PLANNING}/.`,
      ],
    ],
  },
  {
    name: 'migration-moved: a ready migration copied by hand (the old directory still holds the same outputs)',
    slug: READY,
    mode: 'doctor',
    doctor: true,
    options: (t) => ({ dir: t.dir('copied-ready') }),
    mutate: (dir, t) => cpSync(dir, t.dir('copied-ready'), { recursive: true }),
    expected: [
      [
        'error',
        'migration-moved',
        '.planning/state.json',
        `This migration was moved or renamed from ${READY}: .planning/state.json still records its stage outputs under migrations/${READY}/.`,
      ],
    ],
  },
  {
    name: 'migration-moved: not when the old directory holds other outputs (a path error)',
    slug: PLANNING,
    mode: 'doctor',
    doctor: true,
    options: (t) => ({ dir: t.dir('copied-pagination') }),
    mutate: (dir, t) => {
      cpSync(dir, t.dir('copied-pagination'), { recursive: true });
      write(dir, '.planning/stages/approaches.stdout.md', 'changed since the copy\n');
    },
    expected: [
      [
        'error',
        'planning-state-invalid',
        '.planning/state.json',
        `Planning output path 'migrations/${PLANNING}/.planning/stages/approaches.stdout.md' must stay inside the published migration directory`,
      ],
    ],
  },
  {
    name: 'merge-conflict in state.json (instead of planning-state-invalid)',
    slug: PLANNING,
    mode: 'doctor',
    doctor: true,
    mutate: (dir) => write(dir, '.planning/state.json', `{\n  "a": 1,\n${CONFLICT}}\n`),
    expected: [
      [
        'error',
        'merge-conflict',
        '.planning/state.json',
        'Unresolved git merge conflict in .planning/state.json (first conflict marker on line 3).',
      ],
    ],
  },
  {
    name: 'merge-conflict in state.json of a ready migration, any mode',
    slug: READY,
    mode: 'planning-snapshot',
    mutate: (dir) => write(dir, '.planning/state.json', `${CONFLICT}`),
    expected: [
      [
        'error',
        'merge-conflict',
        '.planning/state.json',
        'Unresolved git merge conflict in .planning/state.json (first conflict marker on line 1).',
      ],
    ],
  },
  {
    name: 'stage-output-modified: changed, missing, symlinked',
    slug: PLANNING,
    mode: 'planning-snapshot',
    mutate: (dir) => {
      writeSums(dir);
      writeFileSync(path.join(dir, '.planning/stages/expand.stdout.md'), 'edited by hand\n');
      write(
        dir,
        '.planning/sums',
        `${readFileSync(path.join(dir, '.planning/sums'), 'utf8')}${'0'.repeat(64)}  .planning/stages/gone.stdout.md\n${'1'.repeat(64)} *.planning/stages/link.stdout.md\n`,
      );
      symlinkSync('approaches.stdout.md', path.join(dir, '.planning/stages/link.stdout.md'));
    },
    expected: [],
  },
  {
    name: 'sums-invalid: malformed line, path outside the migration',
    slug: PLANNING,
    mode: 'doctor',
    mutate: (dir) => {
      writeSums(dir);
      const sums = readFileSync(path.join(dir, '.planning/sums'), 'utf8');
      write(dir, '.planning/sums', `${sums}abc  short.md\n\n${'f'.repeat(64)}  ../other/plan.md\n`);
    },
    expected: [
      ['error', 'sums-invalid', '.planning/sums', 'Line 4 of .planning/sums is not "<sha256>  <path>": \'abc  short.md\'.'],
      ['error', 'sums-invalid', '.planning/sums', "Line 6 of .planning/sums names a path outside the migration directory: '../other/plan.md'."],
    ],
  },
  {
    name: 'sums-invalid: 250 malformed lines are 100 findings and a count',
    slug: PLANNING,
    mode: 'doctor',
    mutate: (dir) => write(dir, '.planning/sums', Array.from({ length: 250 }, (_, i) => `bad ${i}\n`).join('')),
    expected: [
      ...Array.from({ length: 100 }, (_, i): Expected => ['error', 'sums-invalid', '.planning/sums', `Line ${i + 1} of .planning/sums is not "<sha256>  <path>": 'bad ${i}'.`]),
      ['error', 'sums-invalid', '.planning/sums', '150 more malformed lines of .planning/sums not shown.'],
    ],
  },
  {
    name: 'review-record-invalid: 101 malformed lines are 100 findings and a count',
    slug: READY,
    mode: 'doctor',
    mutate: (dir) => write(dir, '.planning/reviews.jsonl', '[]\n'.repeat(101)),
    expected: [
      ...Array.from({ length: 100 }, (_, i): Expected => [
        'error',
        'review-record-invalid',
        '.planning/reviews.jsonl',
        `Line ${i + 1} of .planning/reviews.jsonl is not a review record: (record): Invalid input: expected object, received array.`,
      ]),
      ['error', 'review-record-invalid', '.planning/reviews.jsonl', '1 more malformed line of .planning/reviews.jsonl not shown.'],
    ],
  },
  {
    name: 'stage-output-unrecorded (warning), sorted',
    slug: PLANNING,
    mode: 'execution-gate',
    mutate: (dir) => {
      write(dir, '.planning/stages/review.stdout.md', 'never accepted\n');
      write(dir, '.planning/stages/expand-2.stdout.md', 'never accepted\n');
      mkdirSync(path.join(dir, '.planning/stages/subdir'));
    },
    expected: [
      [
        'warning',
        'stage-output-unrecorded',
        '.planning/stages/expand-2.stdout.md',
        "Stage file '.planning/stages/expand-2.stdout.md' is not named by any accepted step.",
      ],
      [
        'warning',
        'stage-output-unrecorded',
        '.planning/stages/review.stdout.md',
        "Stage file '.planning/stages/review.stdout.md' is not named by any accepted step.",
      ],
    ],
  },
  {
    name: 'review-record-invalid: one finding per bad line',
    slug: READY,
    mode: 'doctor',
    mutate: (dir) =>
      write(
        dir,
        '.planning/reviews.jsonl',
        [
          JSON.stringify(REVIEW),
          '{"reviewer": "x"',
          JSON.stringify({ ...REVIEW, decision: 'maybe', extra: 1 }),
          '',
          JSON.stringify({ ...REVIEW, note: 'fine', at: 'yesterday', snapshot_id: 'ABC' }),
          '[]',
        ].join('\n') + '\n',
      ),
    expected: [
      [
        'error',
        'review-record-invalid',
        '.planning/reviews.jsonl',
        "Line 2 of .planning/reviews.jsonl is not a review record: not valid JSON (Expecting ',' delimiter: line 1 column 17 (char 16)).",
      ],
      [
        'error',
        'review-record-invalid',
        '.planning/reviews.jsonl',
        'Line 3 of .planning/reviews.jsonl is not a review record: decision: Invalid option: expected one of "approve"|"reject"|"request-changes"; (record): Unrecognized key: "extra".',
      ],
      [
        'error',
        'review-record-invalid',
        '.planning/reviews.jsonl',
        'Line 4 of .planning/reviews.jsonl is not a review record: not valid JSON (Expecting value: line 1 column 1 (char 0)).',
      ],
      [
        'error',
        'review-record-invalid',
        '.planning/reviews.jsonl',
        'Line 5 of .planning/reviews.jsonl is not a review record: at: must be an ISO-8601 timestamp with an offset; snapshot_id: must be a 64-digit lowercase hex snapshot id.',
      ],
      [
        'error',
        'review-record-invalid',
        '.planning/reviews.jsonl',
        'Line 6 of .planning/reviews.jsonl is not a review record: (record): Invalid input: expected object, received array.',
      ],
    ],
  },
  {
    name: 'path-unreadable: a stages directory that cannot be listed',
    slug: PLANNING,
    mode: 'doctor',
    mutate: (dir) => {
      editJson(path.join(dir, '.planning', 'state.json'), (state) => {
        state['completed_steps'] = [];
        state['next_step'] = 'approaches';
      });
      rm(dir, '.planning/stages');
      symlinkSync('stages', path.join(dir, '.planning/stages'));
    },
    expected: [['error', 'path-unreadable', '.planning/stages', '']],
  },
];

const SILENT: Case[] = [
  ...MODES.map((mode): Case => ({ name: `a valid ready migration (${mode})`, slug: READY, mode, expected: [] })),
  ...(['planning-snapshot', 'execution-gate', 'doctor', 'ready-publish'] as const).map(
    (mode): Case => ({ name: `a valid planning migration (${mode})`, slug: PLANNING, mode, doctor: mode === 'doctor', expected: [] }),
  ),
  ...(['planning-snapshot', 'execution-gate', 'doctor'] as const).map(
    (mode): Case => ({ name: `a valid done migration (${mode})`, slug: DONE, mode, doctor: mode === 'doctor', expected: [] }),
  ),
  {
    name: 'manifest-slug-mismatch: ignored for __transactions__/*/staged',
    slug: READY,
    mode: 'ready-publish',
    options: (t) => {
      const staged = path.join(t.live, '__transactions__', 'b'.repeat(32), 'staged');
      cpSync(t.dir(READY), staged, { recursive: true });
      return { dir: staged, publishedRoot: t.dir(READY) };
    },
    expected: [],
  },
  {
    name: 'missing-plan: not in planning-snapshot',
    slug: READY,
    mode: 'planning-snapshot',
    mutate: (dir) => rm(dir, 'plan.md'),
    expected: [],
  },
  ...(['doctor', 'execution-gate'] as const).flatMap((mode): Case[] => [
    { name: `missing-plan: not for a planning migration (${mode})`, slug: PLANNING, mode, mutate: (dir) => rm(dir, 'plan.md'), expected: [] },
    { name: `missing-plan: not for a done migration (${mode})`, slug: DONE, mode, mutate: (dir) => rm(dir, 'plan.md'), expected: [] },
  ]),
  ...(['planning-snapshot', 'execution-gate'] as const).map(
    (mode): Case => ({
      name: `ready metadata is never checked in ${mode}`,
      slug: READY,
      mode,
      mutate: (dir) => {
        manifest(dir, (value) => (value['current_phase'] = ''));
        write(dir, 'phase-4-stray.md', '# no headings\n');
        write(dir, 'phase-2-split-module.md', '# no headings\n');
      },
      expected: [],
    }),
  ),
  {
    name: 'ready metadata: not in doctor for a done migration',
    slug: DONE,
    mode: 'doctor',
    mutate: (dir) => {
      write(dir, 'phase-4-stray.md', '# no headings\n');
      write(dir, 'phase-1-split-module.md', '# no headings\n');
    },
    expected: [],
  },
  {
    name: 'ready metadata: not in doctor for a planning migration with no phases',
    slug: PLANNING,
    mode: 'doctor',
    mutate: (dir) =>
      manifest(dir, (value) => {
        value['phases'] = [];
        value['current_phase'] = '';
      }),
    expected: [],
  },
  {
    name: 'phase doc contract: only manifest phase files that are regular',
    slug: READY,
    mode: 'ready-publish',
    mutate: (dir) => {
      rm(dir, 'phase-3-switch-default.md');
      manifest(dir, (value) => {
        const list = phases(value);
        value['phases'] = list.slice(0, 2);
      });
    },
    expected: [],
  },
  {
    name: 'planning-state-missing: not from checkMigrationDir (doctor CLI only)',
    slug: PLANNING,
    mode: 'doctor',
    mutate: (dir) => rm(dir, '.planning/state.json'),
    expected: [],
  },
  {
    name: 'planning-state-*: not for a ready migration',
    slug: READY,
    mode: 'doctor',
    doctor: true,
    mutate: (dir) => rm(dir, '.planning/state.json'),
    expected: [],
  },
  {
    name: 'planning-state-invalid: not for a done migration',
    slug: DONE,
    mode: 'doctor',
    doctor: true,
    mutate: (dir) => editJson(path.join(dir, '.planning', 'state.json'), (state) => (state['next_step'] = 'expand')),
    expected: [],
  },
  {
    name: 'stage rules: no sums file, nothing to compare',
    slug: PLANNING,
    mode: 'doctor',
    mutate: (dir) => writeFileSync(path.join(dir, '.planning/stages/expand.stdout.md'), 'edited by hand\n'),
    expected: [],
  },
  {
    name: 'stage rules: sums that match (upper-case hex, binary marker, blank lines)',
    slug: PLANNING,
    mode: 'doctor',
    mutate: (dir) => {
      const line = (step: string) => `.planning/stages/${step}.stdout.md`;
      write(
        dir,
        '.planning/sums',
        `${sha256(dir, line('approaches')).toUpperCase()}  ${line('approaches')}\n\n` +
          `${sha256(dir, line('pick-best'))} *${line('pick-best')}\n${sha256(dir, line('expand'))}  ${line('expand')}\n\n`,
      );
    },
    expected: [],
  },
  {
    name: 'stage-output-unrecorded: silent while state.json does not decode',
    slug: PLANNING,
    mode: 'planning-snapshot',
    mutate: (dir) => {
      write(dir, '.planning/state.json', '{"completed_steps": ');
      write(dir, '.planning/stages/review.stdout.md', 'never accepted\n');
    },
    expected: [],
  },
  {
    name: 'stage-output-unrecorded: silent for doctor while the planning state is invalid (that finding says it)',
    slug: PLANNING,
    mode: 'doctor',
    doctor: true,
    mutate: (dir) => {
      editJson(path.join(dir, '.planning', 'state.json'), (state) => (state['next_step'] = 'expand'));
      write(dir, '.planning/stages/review.stdout.md', 'never accepted\n');
    },
    expected: [
      [
        'error',
        'planning-state-invalid',
        '.planning/state.json',
        "Planning state next_step 'expand' does not match replayed cursor 'review'",
      ],
    ],
  },
  {
    name: 'review records: valid lines (note optional)',
    slug: READY,
    mode: 'doctor',
    mutate: (dir) =>
      write(dir, '.planning/reviews.jsonl', `${JSON.stringify(REVIEW)}\n${JSON.stringify({ ...REVIEW, decision: 'request-changes', note: 'split phase 2', at: '2026-05-01T17:00:00Z' })}\n`),
    expected: [],
  },
];

async function run(c: Case): Promise<{ findings: Expected[]; root: string }> {
  const t = cairnRepo({ fixtures: [c.slug] });
  const dir = t.dir(c.slug);
  c.mutate?.(dir, t);
  const extra = c.options?.(t) ?? {};
  const root = extra.dir ?? dir;
  const options: CheckOptions = { mode: c.mode, repoRoot: t.repo, ...extra };
  delete (options as { dir?: string }).dir;
  const findings = c.doctor
    ? (await doctorMigration({ slug: c.slug, path: root }, { repoRoot: t.repo })).findings
    : await checkMigrationDir(root, options);
  return {
    root,
    findings: findings.map((finding) => {
      const b = brief(finding, root);
      return [b.severity, b.code, b.path, b.message];
    }),
  };
}

describe('consistency rules fire', () => {
  for (const c of FIRE) {
    it(c.name, async () => {
      const { findings, root } = await run(c);
      // Messages quoting Node or the JSON parser with absolute paths are compared below.
      const normalized = findings.map(([severity, code, rel, message], i) => {
        const wanted = c.expected[i];
        return wanted !== undefined && wanted[3] === '' ? [severity, code, rel, ''] : [severity, code, rel, message];
      });
      if (c.name.startsWith('stage-output-modified')) {
        expect(findings).toEqual(stageOutputModifiedExpected(root));
        return;
      }
      expect(normalized).toEqual(c.expected);
      if (c.name === 'invalid-manifest quotes the JSON parser') {
        expect(findings[0]?.[3]).toBe(
          `Could not parse manifest ${path.join(root, 'manifest.json')}: Expecting value: line 1 column 10 (char 9)`,
        );
      }
      if (c.name.startsWith('path-unreadable')) {
        const stages = path.join(root, '.planning', 'stages');
        expect(findings[0]?.[3]).toBe(`Could not list ${stages}: ELOOP: too many symbolic links encountered, scandir '${stages}'`);
      }
    });
  }
});

function stageOutputModifiedExpected(root: string): Expected[] {
  const edited = createHash('sha256').update('edited by hand\n').digest('hex');
  const sums = readFileSync(path.join(root, '.planning/sums'), 'utf8');
  const recorded = /^([0-9a-f]{64})  \.planning\/stages\/expand\.stdout\.md$/m.exec(sums)?.[1];
  return [
    [
      'error',
      'stage-output-modified',
      '.planning/stages/expand.stdout.md',
      `Stage output '.planning/stages/expand.stdout.md' no longer matches .planning/sums (sha256 ${edited}, recorded ${recorded}).`,
    ],
    [
      'error',
      'stage-output-modified',
      '.planning/stages/gone.stdout.md',
      "Stage output '.planning/stages/gone.stdout.md' recorded in .planning/sums is missing.",
    ],
    [
      'error',
      'stage-output-modified',
      '.planning/stages/link.stdout.md',
      "Stage output '.planning/stages/link.stdout.md' recorded in .planning/sums is a symlink, not the accepted file.",
    ],
    [
      'warning',
      'stage-output-unrecorded',
      '.planning/stages/gone.stdout.md'.replace('gone', 'link'),
      "Stage file '.planning/stages/link.stdout.md' is not named by any accepted step.",
    ],
  ];
}

describe('consistency rules stay silent', () => {
  for (const c of SILENT) {
    it(c.name, async () => {
      expect((await run(c)).findings).toEqual(c.expected);
    });
  }
});

describe('rule registry', () => {
  it('gives every migration rule a firing case (the live-root rules are in transactions.test.ts, work-content-committed in work-rules.test.ts)', () => {
    const liveRoot = ['config-invalid', 'work-content-committed', 'transaction-root-invalid', 'publish-lock-present', 'publish-lock-stale', 'transaction-leftover', 'transaction-incomplete', 'check-failed', 'unsafe-migration-name'];
    const covered = new Set([...FIRE.flatMap((c) => c.expected.map((e) => e[1])), 'stage-output-modified']);
    const migrationCodes = RULES.map((rule) => rule.code).filter((code) => !liveRoot.includes(code));
    expect([...covered].sort()).toEqual([...migrationCodes].sort());
  });
});
