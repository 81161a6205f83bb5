import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { doctorChunk, type DoctorChunkSetup } from '../../src/consistency/index.js';
import { reportChunk } from '../../src/app/report.js';
import { REPO_ROOT } from '../support/cli.js';
import { fixtureRepo } from '../support/repo.js';

/*
 * The worker modules `doctor --all` and `report` start, as built (the
 * bundle the CLI runs and the library's own files): each loads and answers
 * a chunk exactly as the calling thread would.
 */

function askWorker(file: string, setup: DoctorChunkSetup, names: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(file, { workerData: setup });
    worker.once('error', reject);
    worker.once('message', (reply: unknown) => {
      void worker.terminate();
      resolve(reply);
    });
    worker.postMessage({ id: 7, items: names });
  });
}

describe('the built thread workers', () => {
  const repo = fixtureRepo();
  const liveRoot = path.join(repo, 'migrations');
  const names = readdirSync(liveRoot).filter((name) => !name.startsWith('__')).sort().slice(0, 12);
  const setup: DoctorChunkSetup = { repoRoot: repo, liveRoot, roots: [], extra: { repoRoot: repo, reviewPolicy: 'when-flagged' } };

  for (const dir of ['dist/bundle', 'dist/app']) {
    it(`${dir}/doctor-worker.js checks a chunk as doctorChunk does`, async () => {
      const expected = await doctorChunk(names, setup);
      expect(expected.some((group) => group.findings.length > 0)).toBe(true);
      expect(await askWorker(path.join(REPO_ROOT, dir, 'doctor-worker.js'), setup, names)).toEqual({ id: 7, results: expected });
    });

    it(`${dir}/report-worker.js checks and reads a chunk as reportChunk does`, async () => {
      const expected = await reportChunk(names, setup);
      expect(expected.every((group) => group.report?.slug === group.slug)).toBe(true);
      expect(await askWorker(path.join(REPO_ROOT, dir, 'report-worker.js'), setup, names)).toEqual({ id: 7, results: expected });
    });
  }
});
