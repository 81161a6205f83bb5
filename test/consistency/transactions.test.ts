import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  configFindings,
  doctorAll,
  localIsoSeconds,
  transactionFindings,
  type DoctorGroup,
} from '../../src/consistency/index.js';
import type { Finding } from '../../src/migration/index.js';
import { STALE_LIMIT_MS as PUBLISH_LOCK_STALE_MS } from '../../src/publish/index.js';
import { deadPid } from '../support/process.js';
import { cairnRepo } from '../support/repo.js';

/*
 * The live-root rules of `doctor --all` (slug `__transactions__`) and the
 * project config rule (slug `.planning`).
 */

const LOCK_EPOCH = 1779499205; // 2026-05-23T01:20:05Z, the fixture's lock mtime
let savedTz: string | undefined;

beforeEach(() => {
  savedTz = process.env['TZ'];
  process.env['TZ'] = 'UTC';
});

afterEach(() => {
  if (savedTz === undefined) delete process.env['TZ'];
  else process.env['TZ'] = savedTz;
});

function lockDir(live: string, owner: string | null, mtimeEpoch = LOCK_EPOCH): string {
  const dir = path.join(live, '__transactions__', '.lock');
  mkdirSync(dir, { recursive: true });
  if (owner !== null) writeFileSync(path.join(dir, 'owner.json'), owner);
  utimesSync(dir, mtimeEpoch, mtimeEpoch);
  return dir;
}

function pick(finding: Finding) {
  return [finding.slug, finding.severity, finding.code, finding.path, finding.message, finding.hint];
}

const V1_HINT =
  'A publish may be running. If no continuous-refactoring or cairn process is running, the lock was left by a crash: remove the .lock directory by hand.';

describe('local ISO seconds (the original lock mtime format)', () => {
  it('uses the local offset and truncates to seconds', () => {
    expect(localIsoSeconds(LOCK_EPOCH * 1000 + 999)).toBe('2026-05-23T01:20:05+00:00');
    process.env['TZ'] = 'America/Los_Angeles';
    expect(localIsoSeconds(LOCK_EPOCH * 1000)).toBe('2026-05-22T18:20:05-07:00');
    process.env['TZ'] = 'Asia/Kolkata';
    expect(localIsoSeconds(LOCK_EPOCH * 1000)).toBe('2026-05-23T06:50:05+05:30');
  });
});

describe('transaction findings', () => {
  it('are silent when there is no __transactions__ (or only plain files in it)', async () => {
    const t = cairnRepo();
    expect(await transactionFindings(t.live)).toEqual([]);
    mkdirSync(path.join(t.live, '__transactions__'));
    writeFileSync(path.join(t.live, '__transactions__', 'notes.txt'), 'x');
    expect(await transactionFindings(t.live)).toEqual([]);
  });

  it('transaction-root-invalid: __transactions__ is a file', async () => {
    const t = cairnRepo();
    const root = path.join(t.live, '__transactions__');
    writeFileSync(root, 'not a dir');
    expect((await transactionFindings(t.live)).map(pick)).toEqual([
      [
        '__transactions__',
        'error',
        'transaction-root-invalid',
        root,
        'Planning transaction root is not a directory.',
        'Move the file away: __transactions__ is reserved for publish state and must be a directory.',
      ],
    ]);
  });

  it('publish-lock-present (error) for a continuous-refactoring lock, with the original message', async () => {
    const t = cairnRepo();
    const dir = lockDir(t.live, '{\n  "created_at": "2026-05-22T18:20:05.166-07:00",\n  "operation": "planning.final-review",\n  "pid": 42959\n}\n');
    expect((await transactionFindings(t.live)).map(pick)).toEqual([
      [
        '__transactions__',
        'error',
        'publish-lock-present',
        dir,
        'Planning publish lock is present; mtime=2026-05-23T01:20:05+00:00; pid=42959, operation=planning.final-review, created_at=2026-05-22T18:20:05.166-07:00.',
        V1_HINT,
      ],
    ]);
  });

  it('publish-lock-present names only the owner keys it can read', async () => {
    const t = cairnRepo();
    const dir = lockDir(t.live, '{"operation": "migration.review", "pid": "12", "other": 1}');
    const partial = await transactionFindings(t.live);
    expect(partial.map((f) => f.message)).toEqual([
      'Planning publish lock is present; mtime=2026-05-23T01:20:05+00:00; pid=12, operation=migration.review.',
    ]);
    writeFileSync(path.join(dir, 'owner.json'), '{"pid": [1, true, null]}');
    utimesSync(dir, LOCK_EPOCH, LOCK_EPOCH);
    expect((await transactionFindings(t.live)).map((f) => f.message)).toEqual([
      'Planning publish lock is present; mtime=2026-05-23T01:20:05+00:00; pid=[1, True, None].',
    ]);
    writeFileSync(path.join(dir, 'owner.json'), '{not json');
    utimesSync(dir, LOCK_EPOCH, LOCK_EPOCH);
    expect((await transactionFindings(t.live)).map((f) => [f.severity, f.message])).toEqual([
      ['error', 'Planning publish lock is present; mtime=2026-05-23T01:20:05+00:00.'],
    ]);
  });

  it('an unreadable cairn-looking lock (no hostname) is treated as the original’s: an error', async () => {
    const t = cairnRepo();
    const now = Math.floor(Date.now() / 1000);
    lockDir(t.live, JSON.stringify({ lock_id: 'abc', pid: process.pid, operation: 'x', created_at: 'y' }), now);
    const [finding] = await transactionFindings(t.live);
    expect([finding?.severity, finding?.code]).toEqual(['error', 'publish-lock-present']);
  });

  it('publish-lock-present (warning) for a live cairn holder on this host', async () => {
    const t = cairnRepo();
    const now = Math.floor(Date.now() / 1000);
    const owner = { created_at: '2026-05-23T01:20:00.000+00:00', hostname: os.hostname(), lock_id: 'L-1', operation: 'planning.expand', pid: process.pid };
    const dir = lockDir(t.live, JSON.stringify(owner), now);
    expect((await transactionFindings(t.live)).map(pick)).toEqual([
      [
        '__transactions__',
        'warning',
        'publish-lock-present',
        dir,
        `Planning publish lock L-1 is held by pid ${process.pid} on ${os.hostname()} (operation planning.expand) since 2026-05-23T01:20:00.000+00:00; last heartbeat ${localIsoSeconds(now * 1000)}.`,
        'A publish is running; wait for it to finish. cairn reclaims the lock on its own if its holder dies.',
      ],
    ]);
  });

  it('publish-lock-present (warning) for a holder on another host with a fresh heartbeat', async () => {
    const t = cairnRepo();
    const now = Math.floor(Date.now() / 1000);
    lockDir(t.live, JSON.stringify({ hostname: 'build-42', lock_id: 'L-2', pid: 1 }), now);
    expect((await transactionFindings(t.live)).map((f) => [f.severity, f.code, f.message])).toEqual([
      ['warning', 'publish-lock-present', `Planning publish lock L-2 is held by pid 1 on build-42; last heartbeat ${localIsoSeconds(now * 1000)}.`],
    ]);
  });

  it('publish-lock-stale: same host, holder gone', async () => {
    const t = cairnRepo();
    const pid = deadPid();
    const now = Math.floor(Date.now() / 1000);
    const owner = { created_at: '2026-05-23T01:20:00.000+00:00', hostname: os.hostname(), lock_id: 'L-3', operation: 'planning.review', pid };
    const dir = lockDir(t.live, JSON.stringify(owner), now);
    expect((await transactionFindings(t.live)).map(pick)).toEqual([
      [
        '__transactions__',
        'error',
        'publish-lock-stale',
        dir,
        `Planning publish lock L-3 is stale: held by pid ${pid} on ${os.hostname()} (operation planning.review) since 2026-05-23T01:20:00.000+00:00; process ${pid} is no longer running.`,
        'The holder is gone: the next publish reclaims the lock on its own, or release it now with `cairn unlock` and lock id L-3.',
      ],
    ]);
  });

  it('publish-lock-stale: heartbeat older than the stale limit (any host)', async () => {
    const t = cairnRepo();
    expect(PUBLISH_LOCK_STALE_MS).toBe(10_000);
    const old = Math.floor(Date.now() / 1000) - 60;
    lockDir(t.live, JSON.stringify({ hostname: 'build-42', lock_id: 'L-4', pid: 7, operation: 'migration.review' }), old);
    const [finding] = await transactionFindings(t.live, { now: (old + 60) * 1000 });
    expect([finding?.severity, finding?.code, finding?.message]).toEqual([
      'error',
      'publish-lock-stale',
      `Planning publish lock L-4 is stale: held by pid 7 on build-42 (operation migration.review); no heartbeat since ${localIsoSeconds(old * 1000)} (60 s ago; stale after 10 s).`,
    ]);
    // The same lock within the limit is a live holder.
    const [fresh] = await transactionFindings(t.live, { now: (old + 9) * 1000 });
    expect([fresh?.severity, fresh?.code]).toEqual(['warning', 'publish-lock-present']);
  });

  it('transaction-leftover for each subdirectory but .lock, sorted, after the lock', async () => {
    const t = cairnRepo();
    lockDir(t.live, null);
    const root = path.join(t.live, '__transactions__');
    for (const name of ['ffff', '0000']) mkdirSync(path.join(root, name, 'staged'), { recursive: true });
    writeFileSync(path.join(root, 'plain-file'), '');
    expect((await transactionFindings(t.live)).map((f) => [f.code, f.path, f.message])).toEqual([
      ['publish-lock-present', path.join(root, '.lock'), 'Planning publish lock is present; mtime=2026-05-23T01:20:05+00:00.'],
      ['transaction-leftover', path.join(root, '0000'), 'Planning transaction directory is still present.'],
      ['transaction-leftover', path.join(root, 'ffff'), 'Planning transaction directory is still present.'],
    ]);
  });

  it('hands the transaction dirs to the inspector hook (the transaction-incomplete extension point)', async () => {
    const t = cairnRepo();
    const root = path.join(t.live, '__transactions__');
    mkdirSync(path.join(root, 'b'), { recursive: true });
    mkdirSync(path.join(root, 'a'), { recursive: true });
    const seen: string[][] = [];
    const findings = await transactionFindings(t.live, {
      inspectTransactionDirs: async (dirs) => {
        seen.push([...dirs]);
        return [];
      },
    });
    expect(findings).toEqual([]);
    expect(seen).toEqual([[path.join(root, 'a'), path.join(root, 'b')]]);
  });
});

describe('config-invalid', () => {
  it('is silent for a valid config or none', async () => {
    const t = cairnRepo();
    const config = path.join(t.repo, '.planning', 'config.json');
    expect(await configFindings(t.repo, config)).toEqual([]);
    expect(await configFindings(t.repo, path.join(t.repo, 'missing.json'))).toEqual([]);
  });

  it('fires for bad JSON, a bad shape, and a migrations_dir outside the repository', async () => {
    const t = cairnRepo();
    const config = path.join(t.repo, '.planning', 'config.json');
    const hint = 'Fix .planning/config.json: a JSON object whose "migrations_dir" names a directory inside the repository.';
    writeFileSync(config, '{"migrations_dir": ');
    expect((await configFindings(t.repo, config)).map(pick)).toEqual([
      [
        '.planning',
        'error',
        'config-invalid',
        config,
        `Could not read cairn config ${config}: Expecting value: line 1 column 20 (char 19)`,
        hint,
      ],
    ]);
    writeFileSync(config, '{"migrations_dir": 3}\n');
    expect((await configFindings(t.repo, config)).map((f) => f.message)).toEqual([
      `Invalid cairn config ${config}: migrations_dir: Invalid input: expected string, received number`,
    ]);
    writeFileSync(config, '{"migrations_dir": "../elsewhere"}\n');
    expect((await configFindings(t.repo, config)).map((f) => f.message)).toEqual([
      `migrations_dir escapes the repository: '../elsewhere' resolves to ${path.join(path.dirname(t.repo), 'elsewhere')}, which is not a directory below ${t.repo}.`,
    ]);
  });
});

async function collect(groups: AsyncIterable<DoctorGroup>): Promise<DoctorGroup[]> {
  const out: DoctorGroup[] = [];
  for await (const group of groups) out.push(group);
  return out;
}

describe('doctorAll', () => {
  it('yields config, every migration in slug order, then __transactions__', async () => {
    const t = cairnRepo({ fixtures: ['src-cli-tasks-ts-20260402T140633', 'extract-pagination-helpers-in-reports-20260421T081406'] });
    mkdirSync(path.join(t.live, '.hidden'));
    mkdirSync(path.join(t.live, '__intentional_skips__'));
    writeFileSync(path.join(t.live, 'README.md'), 'x');
    const groups = await collect(
      doctorAll({ repoRoot: t.repo, liveRoot: t.live, configPath: path.join(t.repo, '.planning', 'config.json'), concurrency: 1 }),
    );
    expect(groups.map((g) => [g.kind, g.slug, g.findings.length])).toEqual([
      ['config', '.planning', 0],
      ['migration', 'extract-pagination-helpers-in-reports-20260421T081406', 0],
      ['migration', 'src-cli-tasks-ts-20260402T140633', 0],
      ['transactions', '__transactions__', 0],
    ]);
  });

  it('keeps slug order with many migrations in flight, and reports progress for each', async () => {
    const t = cairnRepo();
    const slugs = Array.from({ length: 40 }, (_, i) => `m-${String(i).padStart(2, '0')}`);
    for (const slug of slugs) mkdirSync(path.join(t.live, slug));
    const progress: number[] = [];
    const groups = await collect(
      doctorAll({ repoRoot: t.repo, liveRoot: t.live, concurrency: 7, onProgress: (done, total) => progress.push(done * 1000 + total) }),
    );
    expect(groups.map((g) => g.slug)).toEqual([...slugs, '__transactions__']);
    expect(groups.slice(0, 40).map((g) => g.findings.map((f) => f.code))).toEqual(slugs.map(() => ['missing-manifest']));
    expect(progress).toEqual(slugs.map((_, i) => (i + 1) * 1000 + 40));
  });

  it('turns an inspector failure into check-failed instead of throwing', async () => {
    const t = cairnRepo();
    mkdirSync(path.join(t.live, '__transactions__', 'tx'), { recursive: true });
    const groups = await collect(
      doctorAll({
        repoRoot: t.repo,
        liveRoot: t.live,
        inspectTransactionDirs: async () => {
          throw new Error('journal unreadable');
        },
      }),
    );
    expect(groups.map((g) => g.findings.map(pick))).toEqual([
      [
        [
          '__transactions__',
          'error',
          'check-failed',
          path.join(t.live, '__transactions__'),
          'Checking __transactions__ failed: journal unreadable',
          'This is a bug in cairn; please report it with the message.',
        ],
      ],
    ]);
  });

  it('has no migrations when the live root is missing', async () => {
    const t = cairnRepo();
    const groups = await collect(doctorAll({ repoRoot: t.repo, liveRoot: path.join(t.repo, 'nowhere') }));
    expect(groups.map((g) => [g.slug, g.findings])).toEqual([['__transactions__', []]]);
  });
});
