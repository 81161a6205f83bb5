import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { renderPublishedSchemas } from '../../src/outputs/published.js';
import { AGENT } from '../support/agents.js';
import { REPO_ROOT, runCli, type CliResult } from '../support/cli.js';
import { holdPublishLock } from '../support/drivers.js';
import { CR_V1 } from '../support/fixture.js';
import { gitRepo } from '../support/git.js';
import { SLUG, newPlanRepo, readJson, type PlanRepo } from '../support/plan-repo.js';
import { tempDir } from '../support/tmp.js';

const SCHEMAS_DIR = path.join(REPO_ROOT, 'schemas');

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: true }));
const validators = new Map<string, ValidateFunction>();

function validatorFor(file: string): ValidateFunction {
  let validate = validators.get(file);
  if (validate === undefined) {
    validate = ajv.compile(JSON.parse(readFileSync(path.join(SCHEMAS_DIR, file), 'utf8')) as object);
    validators.set(file, validate);
  }
  return validate;
}

/** `value` is valid against `schemas/<file>` (the problems are shown otherwise). */
function expectValid(file: string, value: unknown): void {
  const validate = validatorFor(file);
  const valid = validate(value);
  expect(valid ? [] : validate.errors, `${file}: ${JSON.stringify(value).slice(0, 300)}`).toEqual([]);
}

function isValid(file: string, value: unknown): boolean {
  return validatorFor(file)(value);
}

/** A command's JSON stdout, valid against `schemas/<output>-output.schema.json`. */
function expectOutput(output: string, run: CliResult, exitCode = 0): Record<string, unknown> {
  expect(run.code, run.stderr).toBe(exitCode);
  const document = JSON.parse(run.stdout) as Record<string, unknown>;
  expect(document['schema_version']).toBe(1);
  expectValid(`${output}-output.schema.json`, document);
  return document;
}

/** The migrations of the cr-v1 fixture that are not broken on purpose. */
function intactFixtureMigrations(): string[] {
  const broken = Object.keys((readJson(path.join(CR_V1, 'EXPECTED.json')) as { broken: Record<string, unknown> }).broken);
  return readdirSync(path.join(CR_V1, 'migrations'))
    .filter((name) => !name.startsWith('__') && !broken.includes(name))
    .sort();
}

describe('schemas/', () => {
  it('holds exactly what `npm run schemas` generates from the zod schemas', () => {
    const expected = renderPublishedSchemas();
    expect(readdirSync(SCHEMAS_DIR).sort()).toEqual([...expected.keys()].sort());
    for (const [name, text] of expected) {
      expect(readFileSync(path.join(SCHEMAS_DIR, name), 'utf8'), `schemas/${name} is out of date: run \`npm run schemas\``).toBe(text);
    }
    expect([...expected.keys()].filter((name) => !name.endsWith('-output.schema.json'))).toEqual([
      'manifest.schema.json',
      'state.schema.json',
      'config.schema.json',
      'reviews-record.schema.json',
    ]);
  });

  it('validates the manifests and planning states of the continuous-refactoring fixture', () => {
    const slugs = intactFixtureMigrations();
    expect(slugs).toHaveLength(26);
    let states = 0;
    for (const slug of slugs) {
      const dir = path.join(CR_V1, 'migrations', slug);
      expectValid('manifest.schema.json', readJson(path.join(dir, 'manifest.json')));
      const stateFile = path.join(dir, '.planning', 'state.json');
      if (existsSync(stateFile)) {
        expectValid('state.schema.json', readJson(stateFile));
        states += 1;
      }
    }
    expect(states).toBeGreaterThan(10);
  });

  it('refuses what the formats forbid', () => {
    const manifest = readJson(path.join(CR_V1, 'migrations', intactFixtureMigrations()[0]!, 'manifest.json'));
    expect(isValid('manifest.schema.json', manifest)).toBe(true);
    expect(isValid('manifest.schema.json', { ...manifest, status: 'finished' })).toBe(false);
    expect(isValid('manifest.schema.json', { ...manifest, extra: 1 })).toBe(false);
    expect(isValid('config.schema.json', { migrations_dir: 'migrations' })).toBe(true);
    expect(isValid('config.schema.json', { migrations_dir: 'migrations', lock_timeout: 5 })).toBe(false);
    expect(isValid('config.schema.json', { migrations_dir: '' })).toBe(false);
    expect(isValid('error-output.schema.json', { schema_version: 1, error: { code: 'no-such-code', message: 'x' } })).toBe(false);
    expect(isValid('list-output.schema.json', { schema_version: 2, live_root: '/x', migrations: [] })).toBe(false);
  });

  it('validates the files and the --format json output of every command of a real session', async () => {
    // init, and the config it writes.
    const fresh = gitRepo({ prefix: 'cairn-schemas-init-', commit: false });
    expectOutput('init', runCli(['init', '--format', 'json'], { cwd: fresh }));
    expectValid('config.schema.json', readJson(path.join(fresh, '.planning', 'config.json')));
    expectValid('config.schema.json', {
      migrations_dir: 'plans/migrations',
      review: 'always',
      lock_timeout_ms: 5000,
      agent: { agent: 'claude', model: 'opus', effort: 'high' },
    });

    const p: PlanRepo = newPlanRepo();
    expect(expectOutput('new', p.cli(['new', 'beta', '--target', 'split the widget module', '--dry-run', '--format', 'json']))['result']).toMatchObject({
      status: 'would-publish',
      dry_run: true,
    });
    expect(expectOutput('error', p.cli(['new', SLUG, '--target', 'again', '--format', 'json']), 1)).toMatchObject({ error: { code: 'blocked' } });

    // A manual step, accepted.
    const manual = expectOutput('plan', p.cli(['plan', SLUG, '--agent', 'manual', '--format', 'json']));
    const prepared = (manual['steps'] as Record<string, unknown>[])[0]!;
    expect(prepared).toMatchObject({ status: 'manual', step: 'approaches' });
    const workspace = path.join(p.repo, prepared['workspace'] as string);
    mkdirSync(path.join(workspace, 'approaches'));
    // The names the fake agent's pick-best chooses from.
    writeFileSync(path.join(workspace, 'approaches', 'incremental.md'), '# Incremental\n\nMove one module at a time.\n');
    writeFileSync(path.join(workspace, 'approaches', 'big-bang.md'), '# Big bang\n\nChange everything at once.\n');
    const output = path.join(tempDir('cairn-schemas-out-'), 'out.md');
    writeFileSync(output, 'Wrote two approaches by hand.\n');
    expectOutput('accept', p.cli(['accept', SLUG, '--step', 'approaches', '--file', output, '--dry-run', '--format', 'json']));
    expect(expectOutput('accept', p.cli(['accept', SLUG, '--step', 'approaches', '--file', output, '--format', 'json']))['status']).toBe('published');

    // An agent plans the rest: a review with findings, its revision, a final review that asks for a human.
    expect(expectOutput('plan', p.cli(['plan', SLUG, ...AGENT, '--dry-run', '--format', 'json']))['status']).toBe('dry-run');
    const env = { FAKE_REVIEW: 'One finding: the plan has no tests.', FAKE_FINAL: 'final-decision: approve-needs-human — phase 2 deletes a public API' };
    const planned = expectOutput('plan', p.cli(['plan', SLUG, ...AGENT, '--until', 'terminal', '--format', 'json'], env));
    expect((planned['steps'] as Record<string, unknown>[]).map((step) => step['step'])).toEqual([
      'pick-best',
      'expand',
      'review',
      'revise',
      'review-2',
      'final-review',
    ]);

    expect(expectOutput('status', p.cli(['status', SLUG, '--format', 'json']))['awaiting_human_review']).toBe(true);
    expect(expectOutput('list', p.cli(['list', '--format', 'json']))['migrations']).toHaveLength(1);
    // The seven accepted stage outputs the sums file names, just written: recorded, and racy.
    expect(expectOutput('index', p.cli(['index', '--format', 'json']))['digests']).toMatchObject({ recorded: 7, racy: 7, fresh: 0 });
    expect(expectOutput('ready', p.cli(['ready', '--format', 'json']))['items']).toMatchObject([{ kind: 'review', slug: SLUG }]);
    expectOutput('doctor', p.cli(['doctor', '--all', '--format', 'json']));
    expectOutput('doctor', p.cli(['doctor', SLUG, '--format', 'json']));
    expectOutput('info', p.cli(['info', '--format', 'json']));
    expect(expectOutput('info', p.cli(['info', '--migrate', '--dry-run', '--format', 'json']))['migration']).toEqual({ dry_run: true, would_apply: [] });
    const log = expectOutput('log', p.cli(['log', '--format', 'json']));
    const runId = (log['runs'] as Record<string, unknown>[])[0]!['id'] as string;
    expect(expectOutput('log', p.cli(['log', '--show', runId, '--format', 'json']))['run']).toMatchObject({ id: runId, step: 'final-review' });

    // Human review: send it back, plan again, approve.
    const requested = expectOutput('review', p.cli(['review', SLUG, '--request-changes', '--message', 'Add tests first.', ...AGENT, '--format', 'json'], env));
    expect((requested['review'] as Record<string, unknown>)['step']).toMatchObject({ status: 'published', step: 'revise' });
    expectOutput('plan', p.cli(['plan', SLUG, ...AGENT, '--until', 'terminal', '--format', 'json'], env));
    const approved = expectOutput('review', p.cli(['review', SLUG, '--approve', '--note', 'Looks right.', '--format', 'json']));
    expect((approved['review'] as Record<string, unknown>)['decision']).toBe('approve');
    const lines = readFileSync(path.join(p.dir, '.planning', 'reviews.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expectValid('reviews-record.schema.json', JSON.parse(line));

    // Refine (a dry run with an agent, a prepared manual step), a phase, recovery, unlock, an error.
    expect(expectOutput('refine', p.cli(['refine', SLUG, '--message', 'Smaller phases.', ...AGENT, '--dry-run', '--format', 'json']))['status']).toBe('dry-run');
    expect(expectOutput('refine', p.cli(['refine', SLUG, '--message', 'Smaller phases.', '--agent', 'manual', '--format', 'json']))['status']).toBe('manual');
    expect(expectOutput('phase-done', p.cli(['phase', 'done', SLUG, '--format', 'json']))).toMatchObject({ phase: 'add-api', next_phase: 'remove-old' });
    expectOutput('recover', p.cli(['recover', '--dry-run', '--format', 'json']));
    expectOutput('recover', p.cli(['recover', '--format', 'json']));
    const lock = await holdPublishLock(p.live);
    try {
      expect(expectOutput('unlock', p.cli(['unlock', lock.lockId, '--force', '--dry-run', '--format', 'json']))).toMatchObject({
        lock_id: lock.lockId,
        removed: false,
        forced: true,
      });
      expect(expectOutput('recover', p.cli(['recover', '--dry-run', '--format', 'json']))['lock']).toMatchObject({ lock_id: lock.lockId, stale: false });
    } finally {
      expect(await lock.release()).toBe(0);
    }
    expect(expectOutput('error', p.cli(['status', 'nope', '--format', 'json']), 2)).toEqual({
      schema_version: 1,
      error: { code: 'not-found', message: "Migration 'nope' does not exist.", hint: 'Run `cairn list` to see the migrations in this repository.' },
    });

    // The files the session wrote.
    expectValid('manifest.schema.json', readJson(path.join(p.dir, 'manifest.json')));
    expectValid('state.schema.json', readJson(path.join(p.dir, '.planning', 'state.json')));
  });

  it('validates the --format json output of clean', () => {
    const p: PlanRepo = newPlanRepo();
    expect(p.cli(['plan', SLUG, '--agent', 'manual']).code).toBe(0);
    expect(expectOutput('clean', p.cli(['clean', '--dry-run', '--format', 'json']))).toMatchObject({ dry_run: true, all: false });
    expect(expectOutput('clean', p.cli(['clean', '--all', '--format', 'json']))).toMatchObject({ dry_run: false, all: true });
  });
});
