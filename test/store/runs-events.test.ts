import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import { openStore, type Store } from '../../src/store/index.js';
import { tempDir } from '../support/tmp.js';

function freshStore(options: { maxOutputBytes?: number } = {}): Store {
  return openStore(path.join(tempDir(), '.planning', 'cairn.db'), options);
}

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);
const SHA = 'a'.repeat(64);

describe('run log', () => {
  it('round-trips a run from start to end', () => {
    const store = freshStore();
    const id = store.recordRunStart({
      slug: 'mig-a',
      step: 'plan',
      agent: 'claude',
      model: 'opus',
      effort: 'high',
      promptSha256: SHA,
      startedAt: at(0),
    });
    expect(id).toMatch(/^r-20250601T120000-[0-9a-f]{12}$/);
    expect(store.getRun(id)).toEqual({
      id,
      slug: 'mig-a',
      step: 'plan',
      agent: 'claude',
      model: 'opus',
      effort: 'high',
      promptSha256: SHA,
      startedAt: '2025-06-01T12:00:00.000Z',
      endedAt: null,
      exitCode: null,
      signal: null,
      verdict: null,
      reason: null,
      durationMs: null,
      stdoutBytes: null,
      stdoutTruncated: false,
      stderrBytes: null,
      stderrTruncated: false,
      stdout: null,
      stderr: null,
    });
    const summary = store.recordRunEnd(id, {
      verdict: 'timeout',
      exitCode: null,
      signal: 'SIGTERM',
      stdout: 'partial ✓ output',
      stderr: Buffer.from('warn\n'),
      reason: 'agent exceeded 600 s',
      endedAt: at(2.5),
    });
    expect(summary).toEqual({
      id,
      slug: 'mig-a',
      step: 'plan',
      agent: 'claude',
      model: 'opus',
      effort: 'high',
      promptSha256: SHA,
      startedAt: '2025-06-01T12:00:00.000Z',
      endedAt: '2025-06-01T12:00:02.500Z',
      exitCode: null,
      signal: 'SIGTERM',
      verdict: 'timeout',
      reason: 'agent exceeded 600 s',
      durationMs: 2500,
      stdoutBytes: 18,
      stdoutTruncated: false,
      stderrBytes: 5,
      stderrTruncated: false,
    });
    expect(store.getRun(id)).toEqual({ ...summary, stdout: 'partial ✓ output', stderr: 'warn\n' });
    expect(store.getRun('r-nope')).toBeNull();
    store.close();
  });

  it('caps stdout and stderr at the byte limit and records that they were cut', () => {
    const store = freshStore({ maxOutputBytes: 10 });
    const id = store.recordRunStart({ slug: 'm', step: 'plan', agent: 'manual' });
    // 'é' is two bytes: the cut at byte 10 would split the second 'é', so it keeps 9 bytes.
    store.recordRunEnd(id, { verdict: 'failed', exitCode: 2, stdout: 'abcdefgéé', stderr: '0123456789', durationMs: 7 });
    const run = store.getRun(id);
    expect([run?.stdout, run?.stdoutBytes, run?.stdoutTruncated]).toEqual(['abcdefgé', 11, true]);
    expect([run?.stderr, run?.stderrBytes, run?.stderrTruncated]).toEqual(['0123456789', 10, false]);
    expect(run?.durationMs).toBe(7);
    store.close();

    const big = freshStore();
    expect(big.maxOutputBytes).toBe(4 * 1024 * 1024);
    const bigId = big.recordRunStart({ slug: 'm', step: 'plan', agent: 'manual' });
    big.recordRunEnd(bigId, { verdict: 'accepted', stdout: 'x'.repeat(4 * 1024 * 1024 + 3) });
    const bigRun = big.getRun(bigId);
    expect([bigRun?.stdout?.length, bigRun?.stdoutBytes, bigRun?.stdoutTruncated, bigRun?.stderr]).toEqual([4 * 1024 * 1024, 4 * 1024 * 1024 + 3, true, '']);
    big.close();
  });

  it('lists runs newest first with slug, step, failed-only and limit filters', () => {
    const store = freshStore();
    const plan = [
      ['a', 'plan', 'accepted'],
      ['a', 'refine', 'rejected'],
      ['b', 'plan', 'failed'],
      ['a', 'plan', 'killed'],
      ['b', 'refine', 'accepted'],
      ['a', 'plan', null],
    ] as const;
    const ids = plan.map(([slug, step, verdict], i) => {
      const id = store.recordRunStart({ slug, step, agent: 'manual', startedAt: at(i) });
      if (verdict !== null) store.recordRunEnd(id, { verdict, endedAt: at(i + 1) });
      return id;
    });
    const idsOf = (rows: { id: string }[]): number[] => rows.map((r) => ids.indexOf(r.id));
    expect(idsOf(store.listRuns())).toEqual([5, 4, 3, 2, 1, 0]);
    expect(idsOf(store.listRuns({ slug: 'a' }))).toEqual([5, 3, 1, 0]);
    expect(idsOf(store.listRuns({ slug: 'a', step: 'plan' }))).toEqual([5, 3, 0]);
    expect(idsOf(store.listRuns({ failedOnly: true }))).toEqual([3, 2, 1]);
    expect(idsOf(store.listRuns({ slug: 'b', failedOnly: true }))).toEqual([2]);
    expect(idsOf(store.listRuns({ limit: 2 }))).toEqual([5, 4]);
    expect(idsOf(store.listRuns({ step: 'refine', limit: 1 }))).toEqual([4]);
    expect(store.listRuns({ slug: 'zzz' })).toEqual([]);
    // Order is the order runs started, even when ids share a second.
    const same = [0, 1, 2].map(() => store.recordRunStart({ slug: 'c', step: 'plan', agent: 'manual', startedAt: at(100) }));
    expect(store.listRuns({ slug: 'c' }).map((r) => r.id)).toEqual([...same].reverse());
    store.close();
  });

  it('rejects bad input with CairnErrors', () => {
    const store = freshStore();
    const id = store.recordRunStart({ slug: 'a', step: 'plan', agent: 'manual' });
    expect(() => store.recordRunStart({ slug: '', step: 'plan', agent: 'manual' })).toThrow(new CairnError('invalid-input', 'slug must be a non-empty string.'));
    expect(() => store.recordRunStart({ slug: 'a', step: 'plan', agent: 'manual', promptSha256: 'XYZ' })).toThrow(
      'promptSha256 must be 64 lowercase hex digits, got "XYZ".',
    );
    expect(() => store.recordRunEnd(id, { verdict: 'great' as 'accepted' })).toThrow(
      'verdict must be one of accepted, rejected, failed, timeout, killed, got "great".',
    );
    expect(() => store.recordRunEnd('r-missing', { verdict: 'accepted' })).toThrow(new CairnError('not-found', 'No run "r-missing" in the local store.'));
    store.recordRunEnd(id, { verdict: 'accepted' });
    let second: unknown;
    try {
      store.recordRunEnd(id, { verdict: 'failed' });
    } catch (error) {
      second = error;
    }
    expect(second).toBeInstanceOf(CairnError);
    expect((second as CairnError).code).toBe('invalid-input');
    expect((second as CairnError).message).toBe(`Run "${id}" already ended with verdict "accepted".`);
    expect(() => store.listRuns({ limit: 0 })).toThrow('limit must be a positive integer, got 0.');
    store.close();
  });
});

describe('events', () => {
  it('round-trips events and lists them newest first with filters', () => {
    const store = freshStore();
    const ids = [
      store.recordEvent({ kind: 'publish.published', slug: 'a', details: { snapshot: 's1', files: ['x', 'y'], n: 2, ok: true, none: null }, at: at(0) }),
      store.recordEvent({ kind: 'publish.blocked', slug: 'b', details: { reason: 'dirty' }, at: at(1) }),
      store.recordEvent({ kind: 'lock.reclaimed', at: at(2) }),
      store.recordEvent({ kind: 'publish.published', slug: 'a', details: [1, 'two'], at: at(3) }),
    ];
    expect(ids.every((id) => /^e-20250601T12000\d-[0-9a-f]{12}$/.test(id))).toBe(true);
    expect(store.listEvents()).toEqual([
      { id: ids[3], at: '2025-06-01T12:00:03.000Z', slug: 'a', kind: 'publish.published', details: [1, 'two'] },
      { id: ids[2], at: '2025-06-01T12:00:02.000Z', slug: null, kind: 'lock.reclaimed', details: {} },
      { id: ids[1], at: '2025-06-01T12:00:01.000Z', slug: 'b', kind: 'publish.blocked', details: { reason: 'dirty' } },
      {
        id: ids[0],
        at: '2025-06-01T12:00:00.000Z',
        slug: 'a',
        kind: 'publish.published',
        details: { snapshot: 's1', files: ['x', 'y'], n: 2, ok: true, none: null },
      },
    ]);
    expect(store.listEvents({ slug: 'a' }).map((e) => e.id)).toEqual([ids[3], ids[0]]);
    expect(store.listEvents({ kind: 'publish.blocked' }).map((e) => e.id)).toEqual([ids[1]]);
    expect(store.listEvents({ slug: 'a', kind: 'publish.published', limit: 1 }).map((e) => e.id)).toEqual([ids[3]]);
    expect(store.listEvents({ kind: 'recovery' })).toEqual([]);
    store.close();
  });

  it('rejects an empty kind and details JSON cannot hold', () => {
    const store = freshStore();
    expect(() => store.recordEvent({ kind: '' })).toThrow('event kind must be a non-empty string.');
    expect(() => store.recordEvent({ kind: 'review', details: { n: Number.NaN } })).toThrow('event details.n is NaN, which JSON cannot hold.');
    expect(() => store.recordEvent({ kind: 'review', details: { d: new Date(0) } as never })).toThrow('event details.d is not a plain object.');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => store.recordEvent({ kind: 'review', details: cyclic as never })).toThrow('event details.self refers back to itself.');
    expect(store.listEvents()).toEqual([]);
    store.close();
  });
});

describe('published snapshots', () => {
  it('keeps the last snapshot per live root and slug', () => {
    const store = freshStore();
    expect(store.getPublishedSnapshot('/repo/migrations', 'a')).toBeNull();
    store.setPublishedSnapshot('/repo/migrations', 'a', 'sha-1', at(0));
    store.setPublishedSnapshot('/repo/migrations', 'a', 'sha-2', at(5));
    store.setPublishedSnapshot('/other/migrations', 'a', 'sha-9', at(1));
    expect(store.getPublishedSnapshot('/repo/migrations/', 'a')).toEqual({
      liveRoot: '/repo/migrations',
      slug: 'a',
      snapshotId: 'sha-2',
      at: '2025-06-01T12:00:05.000Z',
    });
    expect(store.getPublishedSnapshot('/other/migrations', 'a')?.snapshotId).toBe('sha-9');
    expect(store.getPublishedSnapshot('/repo/migrations', 'b')).toBeNull();
    store.close();
  });
});
