import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotId } from '../../src/fs/digest.js';
import { CLI, cliEnv, runCli } from '../support/cli.js';
import { holdPublishLock } from '../support/drivers.js';
import { publishRepo } from '../support/publish-repo.js';
import { fixtureRepo } from '../support/repo.js';

const hasScript = spawnSync('script', ['--version']).status === 0;

describe('cairn new', () => {
  it('creates the migration through publish and removes its workspace', async () => {
    const repo = publishRepo({ git: true });
    const created = runCli(['new', 'alpha', '--target', 'replace the widget API'], { cwd: repo.repoRoot });
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('Created migration alpha at migrations/alpha.\nNext: cairn plan alpha\n');
    expect(created.code).toBe(0);
    const live = path.join(repo.liveRoot, 'alpha');
    const manifest = readFileSync(path.join(live, 'manifest.json'), 'utf8');
    const createdAt = (JSON.parse(manifest) as { created_at: string }).created_at;
    expect(createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    expect(manifest).toBe(
      `{\n  "awaiting_human_review": false,\n  "cooldown_until": null,\n  "created_at": "${createdAt}",\n  "current_phase": "",\n` +
        `  "human_review_reason": null,\n  "last_touch": "${createdAt}",\n  "name": "alpha",\n  "phases": [],\n  "status": "planning",\n` +
        `  "wake_up_on": null\n}\n`,
    );
    expect(readFileSync(path.join(live, '.planning', 'state.json'), 'utf8')).toBe(
      `{\n  "completed_steps": [],\n  "feedback": [],\n  "final_decision": null,\n  "final_reason": null,\n  "next_step": "approaches",\n` +
        `  "review_findings": null,\n  "revision_base_step_counts": [],\n  "schema_version": 1,\n  "started_at": "${createdAt}",\n` +
        `  "target": "replace the widget API",\n  "updated_at": "${createdAt}"\n}\n`,
    );
    expect(existsSync(path.join(repo.repoRoot, '.planning', 'work', 'alpha'))).toBe(false);
    expect(existsSync(path.join(repo.liveRoot, '__transactions__'))).toBe(false);
    const status = runCli(['list', '--format', 'tsv', '--no-headers'], { cwd: repo.repoRoot });
    expect(status.stdout).toBe(`alpha\tplanning\tplanning:approaches\tno\t${createdAt}\t(none)\t(none)\n`);
  });

  it('refuses an existing migration with the next command to run', () => {
    const repo = publishRepo();
    expect(runCli(['new', 'alpha', '--target', 'x'], { cwd: repo.repoRoot }).code).toBe(0);
    const again = runCli(['new', 'alpha', '--target', 'y'], { cwd: repo.repoRoot });
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toBe(
      `Error: Migration 'alpha' already exists at ${path.join(repo.liveRoot, 'alpha')}.\n` +
        'Hint: Run `cairn status alpha` to see it and `cairn plan alpha` to continue planning it, or choose another slug.\n',
    );
  });

  it('refuses an unsafe slug, an empty target and a bad --lock-timeout with exit 2', () => {
    const repo = publishRepo();
    const unsafe = runCli(['new', '__internal', '--target', 'x'], { cwd: repo.repoRoot });
    expect(unsafe.code).toBe(2);
    expect(unsafe.stderr).toBe(
      "Error: Migration slug is not a safe path segment: '__internal' (use one name without '/', not starting with '.' or '__').\n",
    );
    const empty = runCli(['new', 'alpha', '--target', '  '], { cwd: repo.repoRoot });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe('Error: The migration target must not be empty: say what to change with --target "<what to change>".\n');
    const timeout = runCli(['new', 'alpha', '--target', 'x', '--lock-timeout', 'soon'], { cwd: repo.repoRoot });
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toContain("--lock-timeout must be a whole number of milliseconds, got 'soon'.");
    expect(existsSync(path.join(repo.liveRoot, 'alpha'))).toBe(false);
  });

  it('--dry-run --format json shows what would be created and changes nothing', async () => {
    const repo = publishRepo();
    const before = await snapshotId(repo.liveRoot);
    const dry = runCli(['new', 'alpha', '--target', 'x', '--dry-run', '--format', 'json'], { cwd: repo.repoRoot });
    expect(dry.code).toBe(0);
    const json = JSON.parse(dry.stdout) as { schema_version: number; result: Record<string, unknown> };
    expect(json.schema_version).toBe(1);
    expect(json.result['status']).toBe('would-publish');
    expect(json.result['dry_run']).toBe(true);
    expect(json.result['lock_path']).toBeNull();
    const diff = json.result['diff'] as { added: { path: string }[]; cursor: unknown; status: unknown };
    expect(diff.added.map((entry) => entry.path)).toEqual(['.planning/state.json', 'manifest.json']);
    expect(diff.cursor).toEqual({ from: null, to: 'approaches' });
    expect(diff.status).toEqual({ from: null, to: 'planning' });
    expect(await snapshotId(repo.liveRoot)).toBe(before);
    expect(existsSync(path.join(repo.repoRoot, '.planning', 'work', 'alpha'))).toBe(false);
  });

  it('exits 3 naming the holder when the lock stays taken', async () => {
    const repo = publishRepo();
    const holder = await holdPublishLock(repo.liveRoot);
    try {
      const waited = runCli(['new', 'alpha', '--target', 'x', '--lock-timeout', '300'], { cwd: repo.repoRoot });
      expect(waited.code).toBe(3);
      expect(waited.stderr).toContain(
        `Error: Timed out after 300 ms waiting for the publish lock ${path.join(repo.liveRoot, '__transactions__', '.lock')}; ` +
          `it is held by pid ${holder.pid} on host ${os.hostname()} (operation test.hold, since `,
      );
      expect(waited.stderr).toContain(`lock id ${holder.lockId}, last heartbeat `);
      expect(waited.stderr).toContain('Hint: Wait for that command to finish, or retry with a longer --lock-timeout.');
      expect(waited.stderr).not.toContain('Waiting for the publish lock');
    } finally {
      await holder.release();
    }
    expect(existsSync(path.join(repo.liveRoot, 'alpha'))).toBe(false);
  });

  it.skipIf(!hasScript)('says once on a terminal whose lock it waits for (under script(1), which provides a pty)', async () => {
    const repo = publishRepo();
    const holder = await holdPublishLock(repo.liveRoot);
    try {
      const command = `'${process.execPath}' '${CLI}' new alpha --target x --lock-timeout 2500`;
      const waited = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: repo.repoRoot, env: cliEnv(), encoding: 'utf8', timeout: 60_000 });
      expect(waited.status).toBe(3);
      const notice = `Waiting for the publish lock held by pid ${holder.pid} (test.hold)…`;
      expect(waited.stdout.split(notice)).toHaveLength(2);
      expect(waited.stdout.indexOf(notice)).toBeLessThan(waited.stdout.indexOf('Error: '));
    } finally {
      await holder.release();
    }
    expect(existsSync(path.join(repo.liveRoot, 'alpha'))).toBe(false);
  });
});

describe('a repository planned with continuous-refactoring', () => {
  it("reclaims the original's stale lock, leaves its transaction debris alone and publishes", async () => {
    const repo = fixtureRepo();
    const live = path.join(repo, 'migrations');
    const debris = path.join(live, '__transactions__', '1465f2339e43e933d13d6b96afc79745');
    const debrisId = await snapshotId(debris);
    const dry = runCli(['recover', '--dry-run'], { cwd: repo });
    expect(dry.stdout).toContain('Would reclaim the stale publish lock held by pid 42959 (operation planning.final-review, since 2026-05-22T18:20:05.166-07:00, no lock id: written by continuous-refactoring');
    expect(dry.stdout).toContain(`${debris}: left alone: not a cairn transaction (no cairn-tx marker, no journal); left for inspection\n`);
    const created = runCli(['new', 'fresh-start', '--target', 'tidy the fixture'], { cwd: repo });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(existsSync(path.join(live, '__transactions__', '.lock'))).toBe(false);
    expect(await snapshotId(debris)).toBe(debrisId);
    const recovered = runCli(['recover'], { cwd: repo });
    expect(recovered.stdout).toBe(`${debris}: left alone: not a cairn transaction (no cairn-tx marker, no journal); left for inspection\n`);
    expect(recovered.code).toBe(0);
  });
});

describe('cairn recover and cairn unlock', () => {
  it('recover says when there is nothing to do', () => {
    const repo = publishRepo();
    const result = runCli(['recover'], { cwd: repo.repoRoot });
    expect(result.stdout).toBe('Nothing to recover.\n');
    expect(result.code).toBe(0);
    const json = runCli(['recover', '--dry-run', '--format', 'json'], { cwd: repo.repoRoot });
    expect(JSON.parse(json.stdout)).toEqual({
      schema_version: 1,
      live_root: repo.liveRoot,
      dry_run: true,
      transactions: [],
      lock_tombstones: [],
      reclaimed_locks: [],
      lock: null,
      integrations: [],
      runs: [],
    });
  });

  it('unlock needs the lock id, refuses a live holder, and removes it with --force', async () => {
    const repo = publishRepo();
    const none = runCli(['unlock', 'abc'], { cwd: repo.repoRoot });
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(`Error: No publish lock is present at ${path.join(repo.liveRoot, '__transactions__', '.lock')}.\n`);
    const holder = await holdPublishLock(repo.liveRoot);
    try {
      const wrong = runCli(['unlock', 'abc'], { cwd: repo.repoRoot });
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain(`it has lock id ${holder.lockId}.`);
      const refused = runCli(['unlock', holder.lockId], { cwd: repo.repoRoot });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('Hint: Wait for it to finish. Only if you are sure it is gone, pass --force.');
      const dry = runCli(['unlock', holder.lockId, '--force', '--dry-run'], { cwd: repo.repoRoot });
      expect(dry.code).toBe(0);
      expect(dry.stdout.startsWith(`Dry run: would remove publish lock ${holder.lockId} at `)).toBe(true);
      expect(existsSync(path.join(repo.liveRoot, '__transactions__', '.lock', 'owner.json'))).toBe(true);
      const forced = runCli(['unlock', holder.lockId, '--force'], { cwd: repo.repoRoot });
      expect(forced.code).toBe(0);
      expect(forced.stdout).toMatch(
        new RegExp(`^Removed publish lock ${holder.lockId} at .*/\\.lock, held by pid ${holder.pid} on host .*\\(forced: the holder looked alive\\)\\.\\n$`),
      );
      expect(existsSync(path.join(repo.liveRoot, '__transactions__'))).toBe(false);
    } finally {
      await holder.release();
    }
  });
});
