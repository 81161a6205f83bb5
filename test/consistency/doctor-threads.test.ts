import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { doctorAll, type DoctorGroup, type DoctorThreads } from '../../src/consistency/index.js';
import { fixtureRepo } from '../support/repo.js';
import { tempDir } from '../support/tmp.js';

/* doctor --all on worker threads: the same groups, in the same order, as in one thread. */

const MARKING_WORKER = new URL('../fixtures/threads/marking-doctor-worker.mjs', import.meta.url);

async function groupsOf(repo: string, threads?: DoctorThreads): Promise<DoctorGroup[]> {
  const groups: DoctorGroup[] = [];
  const progress: number[] = [];
  for await (const group of doctorAll({
    repoRoot: repo,
    liveRoot: path.join(repo, 'migrations'),
    configPath: path.join(repo, '.planning', 'config.json'),
    onProgress: (done) => progress.push(done),
    ...(threads === undefined ? {} : { threads }),
  })) {
    groups.push(group);
  }
  expect(progress).toEqual(progress.map((_, i) => i + 1));
  return groups;
}

describe('doctorAll with worker threads', () => {
  it('yields exactly the groups of a one-thread run, with workers checking some of the migrations', async () => {
    const repo = fixtureRepo();
    // An unsafe name among the safe ones: answered by the calling thread, in its place.
    mkdirSync(path.join(repo, 'migrations', 'odd\u200bname'));
    const marks = tempDir('cairn-marks-');
    const before = process.env['CAIRN_TEST_MARKS'];
    process.env['CAIRN_TEST_MARKS'] = marks;
    try {
      const alone = await groupsOf(repo);
      const threaded = await groupsOf(repo, { workerUrl: MARKING_WORKER, workers: 2, always: true });
      expect(threaded).toEqual(alone);
      expect(alone.some((group) => group.findings.some((f) => f.code === 'unsafe-migration-name'))).toBe(true);
      const checkedByWorkers = readdirSync(marks);
      expect(checkedByWorkers.length).toBeGreaterThan(0);
    } finally {
      if (before === undefined) delete process.env['CAIRN_TEST_MARKS'];
      else process.env['CAIRN_TEST_MARKS'] = before;
    }
  });

  it('starts no thread below the size threshold unless asked, and none when the worker module is missing', async () => {
    const repo = fixtureRepo();
    const marks = tempDir('cairn-marks-');
    process.env['CAIRN_TEST_MARKS'] = marks;
    try {
      const alone = await groupsOf(repo);
      expect(await groupsOf(repo, { workerUrl: MARKING_WORKER, workers: 2 })).toEqual(alone);
      expect(await groupsOf(repo, { workerUrl: new URL('../fixtures/threads/none.mjs', import.meta.url), workers: 2, always: true })).toEqual(alone);
      expect(readdirSync(marks)).toEqual([]);
    } finally {
      delete process.env['CAIRN_TEST_MARKS'];
    }
  });
});
