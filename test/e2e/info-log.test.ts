import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LATEST_STORE_VERSION, STORE_MIGRATIONS, openStore } from '../../src/store/index.js';
import { fakeAgents } from '../support/agents.js';
import { runCli } from '../support/cli.js';
import { cairnRepo, fixtureRepo } from '../support/repo.js';

describe('cairn info', () => {
  it('inspects without creating or migrating the store, and migrates on request', () => {
    const { repo } = cairnRepo({ git: true });
    const db = path.join(repo, '.planning', 'cairn.db');
    const first = JSON.parse(runCli(['info', '--format', 'json'], { cwd: repo }).stdout);
    expect(first.schema_version).toBe(1);
    expect(first.config.migrations_dir).toBe('migrations');
    expect(first.config.review).toBe('when-flagged');
    expect(first.config.lock_timeout_ms).toBe(30000);
    expect(first.store.exists).toBe(false);
    expect(first.store.schema_version).toBe(0);
    expect(first.store.pending_migrations.map((step: { version: number }) => step.version)).toEqual(STORE_MIGRATIONS.map((m) => m.version));
    expect(existsSync(db)).toBe(false);

    const dry = JSON.parse(runCli(['info', '--migrate', '--dry-run', '--format', 'json'], { cwd: repo }).stdout);
    expect(dry.migration.dry_run).toBe(true);
    expect(dry.migration.would_apply).toHaveLength(STORE_MIGRATIONS.length);
    expect(existsSync(db)).toBe(false);

    const migrated = runCli(['info', '--migrate'], { cwd: repo });
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toContain(`Applied: ${STORE_MIGRATIONS.map((m) => `${m.version} ${m.name}`).join(', ')}`);
    const after = JSON.parse(runCli(['info', '--format', 'json'], { cwd: repo }).stdout);
    expect(after.store.schema_version).toBe(LATEST_STORE_VERSION);
    expect(after.store.pending_migrations).toEqual([]);
    expect(after.store.integrity).toBe('ok');
  });

  it('reports an older store as pending and leaves it at its version', () => {
    const { repo } = cairnRepo({ git: true });
    const db = path.join(repo, '.planning', 'cairn.db');
    const old = openStore(db, { migrations: STORE_MIGRATIONS.slice(0, 1) });
    old.recordEvent({ kind: 'publish.published', slug: 'x', details: {} });
    old.close();
    const info = JSON.parse(runCli(['info', '--format', 'json'], { cwd: repo }).stdout);
    expect(info.store.schema_version).toBe(1);
    expect(info.store.pending_migrations.map((step: { version: number }) => step.version)).toEqual([2, 3]);
    expect(info.store.row_counts.events).toBe(1);
    const again = JSON.parse(runCli(['info', '--format', 'json'], { cwd: repo }).stdout);
    expect(again.store.schema_version).toBe(1);
    expect(runCli(['info', '--dry-run'], { cwd: repo }).code).toBe(2);
  });

  it("shows the user config's path and defaults, and a broken one without failing", () => {
    const { repo } = cairnRepo({ git: true });
    const home = mkdtempSync(path.join(os.tmpdir(), 'cairn-info-home-'));
    const env = { XDG_CONFIG_HOME: home };
    const file = path.join(home, 'cairn', 'config.json');
    expect(runCli(['info'], { cwd: repo, env }).stdout).toContain(`\nUser config     ${file} (none; agent flags only)\n`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{"agent": "codex", "effort": "high"}\n');
    expect(runCli(['info'], { cwd: repo, env }).stdout).toContain(`\nUser config     ${file} (agent codex, effort high)\n`);
    const json = JSON.parse(runCli(['info', '--format', 'json'], { cwd: repo, env }).stdout);
    expect(json.user_config).toEqual({ path: file, exists: true, agent: 'codex', model: null, effort: 'high', agent_cmd: null, trusted_validate: 0, problem: null });
    writeFileSync(file, '{"modle": "x"}\n');
    const broken = runCli(['info'], { cwd: repo, env });
    expect(broken.code).toBe(0);
    expect(broken.stdout).toContain(`\nUser config     ${file} (unusable: Invalid user config ${file}: (top level): Unrecognized key: "modle")\n`);
  });
});

describe('cairn log', () => {
  it('lists runs and events newest first and shows one run in full', () => {
    const { repo } = cairnRepo({ git: true });
    expect(runCli(['log'], { cwd: repo }).stdout).toBe('No local history yet: nothing has been run or published from this checkout.\n');
    const store = openStore(path.join(repo, '.planning', 'cairn.db'));
    const ok = store.recordRunStart({ slug: 'alpha', step: 'approaches', agent: 'codex', promptSha256: 'ab'.repeat(32) });
    store.recordRunEnd(ok, { verdict: 'accepted', exitCode: 0, stdout: 'three approaches\n', stderr: '' });
    const bad = store.recordRunStart({ slug: 'alpha', step: 'pick-best', agent: 'codex' });
    store.recordRunEnd(bad, { verdict: 'failed', exitCode: 3, stdout: '', stderr: 'boom\n', reason: 'codex exited with code 3' });
    store.recordEvent({ kind: 'publish.published', slug: 'alpha', details: { operation: 'planning.approaches' } });
    store.close();

    const json = JSON.parse(runCli(['log', 'alpha', '--format', 'json'], { cwd: repo }).stdout);
    expect(json.runs.map((run: { step: string; verdict: string }) => [run.step, run.verdict])).toEqual([
      ['pick-best', 'failed'],
      ['approaches', 'accepted'],
    ]);
    expect(json.events.map((event: { kind: string }) => event.kind)).toEqual(['publish.published']);
    const failed = JSON.parse(runCli(['log', '--failed', '--format', 'json'], { cwd: repo }).stdout);
    expect(failed.runs.map((run: { id: string }) => run.id)).toEqual([bad]);
    const shown = runCli(['log', '--show', ok], { cwd: repo });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Prompt sha256  ${'ab'.repeat(32)}`);
    expect(shown.stdout).toContain('--- stdout ---\nthree approaches\n--- stderr ---\n');
    const missing = runCli(['log', '--show', 'r-nope'], { cwd: repo });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("No run 'r-nope' in the local store.");
    expect(runCli(['log', '--limit', '0'], { cwd: repo }).code).toBe(2);
  });

  it('shows times as every other command does, refuses an unknown step, and resolves a migration path', () => {
    const { repo } = cairnRepo({ git: true });
    expect(runCli(['new', 'alpha', '--target', 'x'], { cwd: repo }).code).toBe(0);
    const store = openStore(path.join(repo, '.planning', 'cairn.db'));
    const id = store.recordRunStart({ slug: 'alpha', step: 'approaches', agent: 'codex', startedAt: new Date('2026-05-01T10:00:00.000Z') });
    store.recordRunEnd(id, { verdict: 'accepted', exitCode: 0, stdout: '', stderr: '', endedAt: new Date('2026-05-01T10:00:02.500Z') });
    store.close();

    const json = JSON.parse(runCli(['log', 'migrations/alpha', '--step', 'approaches', '--format', 'json'], { cwd: repo }).stdout);
    expect(json.runs.map((run: { started_at: string; ended_at: string }) => [run.started_at, run.ended_at])).toEqual([['2026-05-01T10:00:00.000+00:00', '2026-05-01T10:00:02.500+00:00']]);
    const text = runCli(['log', 'alpha'], { cwd: repo }).stdout;
    expect(text).toContain(`  ${id}  2026-05-01T10:00:00.000+00:00  alpha  approaches  accepted`);
    expect(text).not.toMatch(/\dZ /);
    expect(runCli(['log', '--show', id], { cwd: repo }).stdout).toContain('Started        2026-05-01T10:00:00.000+00:00\n');

    const bogus = runCli(['log', '--step', 'bogus'], { cwd: repo });
    expect(bogus.code).toBe(2);
    expect(bogus.stdout).toBe('');
    expect(bogus.stderr).toBe(
      "Error: Unknown step 'bogus' for --step.\nHint: Steps: approaches, pick-best, expand, review, revise, review-2, final-review, baseline, ready-check, execute, validate, execute.diff.\n",
    );
    const missing = runCli(['log', 'migrations/nope'], { cwd: repo });
    expect(missing.code).toBe(2);
    expect(missing.stderr.split('\n')[0]).toBe(`Error: Migration path is not a directory: ${path.join(repo, 'migrations', 'nope')}`);
  });

  it('does not record a run as accepted when its publish was blocked', () => {
    const agents = fakeAgents();
    // An agent that also edits the live migration while it runs: the publish finds the base changed and is blocked.
    agents.write(
      'meddling-agent',
      'cat >/dev/null\nmkdir -p "$CAIRN_WORKSPACE/approaches"\nprintf \'# A\\n\\nOne way.\\n\' > "$CAIRN_WORKSPACE/approaches/a.md"\nprintf \'# B\\n\\nAnother.\\n\' > "$CAIRN_WORKSPACE/approaches/b.md"\necho "touched" >> "$CAIRN_REPO_ROOT/migrations/$CAIRN_SLUG/notes.md"\necho "Wrote two approaches."\n',
    );
    const { repo } = cairnRepo({ git: true });
    const env = agents.env;
    expect(runCli(['new', 'alpha', '--target', 'x', '--commit'], { cwd: repo, env }).code).toBe(0);
    const blocked = runCli(['plan', 'alpha', '--agent', 'command', '--agent-cmd', 'meddling-agent', '--format', 'json'], { cwd: repo, env });
    expect(blocked.code).toBe(1);
    const [step] = (JSON.parse(blocked.stdout) as { steps: { status: string; log_run_id: string; run_id: string; workspace: string }[] }).steps;
    if (step === undefined) throw new Error('no step in the plan output');
    expect(step.status).toBe('blocked');
    const shown = JSON.parse(runCli(['log', '--show', step.log_run_id, '--format', 'json'], { cwd: repo }).stdout);
    expect(shown.run.verdict).toBe('rejected');
    expect(shown.run.reason).toMatch(/^the output passed its checks, but its publish was blocked: /);
    const failed = JSON.parse(runCli(['log', '--failed', '--format', 'json'], { cwd: repo }).stdout);
    expect(failed.runs.map((run: { id: string }) => run.id)).toEqual([step.log_run_id]);

    // --show finds the run by its planning run id and by its workspace directory too.
    expect(step.workspace).toBe(`.planning/work/alpha/${step.run_id}/alpha`);
    for (const key of [step.run_id, step.workspace, path.dirname(step.workspace)]) {
      const byKey = runCli(['log', '--show', key, '--format', 'json'], { cwd: repo });
      expect(byKey.code).toBe(0);
      expect(JSON.parse(byKey.stdout).run.id).toBe(step.log_run_id);
    }
  });
});

describe('a damaged store', () => {
  it('is moved aside and rebuilt; list still answers from the files', () => {
    const repo = fixtureRepo();
    const expected = runCli(['list', '--format', 'tsv'], { cwd: repo }).stdout;
    const db = path.join(repo, '.planning', 'cairn.db');
    writeFileSync(db, Buffer.alloc(8192, 0x41));
    const result = runCli(['list', '--format', 'tsv'], { cwd: repo });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(expected);
    expect(result.stderr).toMatch(/^Warning: the local store was damaged \(.+\); it was moved to .+cairn\.db\.corrupt-.+ and a new one was created\. Local run history was lost; the plan itself \(files under git\) is untouched\.\n$/);
    const movedTo = /moved to (\S+) and/.exec(result.stderr)?.[1] ?? '';
    expect(readFileSync(movedTo)).toEqual(Buffer.alloc(8192, 0x41));
    expect(runCli(['list', '--format', 'tsv'], { cwd: repo }).stderr).toBe('');
  });
});
