import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LATEST_STORE_VERSION, inspectStore, openStore } from '../../src/store/index.js';
import { tempDir } from '../support/tmp.js';
import { transpileForNode } from '../support/transpile.js';

const CHILD = `
import { openStore } from './src/store/index.js';
const [storePath, worker, count] = process.argv.slice(2);
const store = openStore(storePath);
for (let i = 0; i < Number(count); i++) {
  const slug = 'w' + worker;
  const id = store.recordRunStart({ slug, step: 'plan', agent: 'manual' });
  store.recordRunEnd(id, { verdict: i % 2 === 0 ? 'accepted' : 'failed', exitCode: i % 2, stdout: slug + ':' + i });
  store.recordEvent({ slug, kind: 'review', details: { worker: Number(worker), i } });
}
store.close();
process.stdout.write('done ' + worker);
`;

function runChild(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: path.dirname(script) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('many cairn processes at once', () => {
  it('8 processes creating and writing one store lose no rows', async () => {
    const dir = tempDir();
    const build = path.join(dir, 'build');
    // The real store module, transpiled, so child processes run exactly the code under test.
    transpileForNode('store/index.ts', path.join(build, 'src'));
    const script = path.join(build, 'child.mjs');
    fs.writeFileSync(script, CHILD);
    // The store does not exist yet: all 8 race to create and migrate it.
    const storePath = path.join(dir, 'repo', '.planning', 'cairn.db');
    const results = await Promise.all(Array.from({ length: 8 }, (_, w) => runChild(script, [storePath, String(w), '200'])));
    expect(results).toEqual(Array.from({ length: 8 }, (_, w) => ({ code: 0, stdout: `done ${w}`, stderr: '' })));

    const report = inspectStore(storePath);
    expect(report.schemaVersion).toBe(LATEST_STORE_VERSION);
    expect(report.integrity).toBe('ok');
    expect(report.rowCounts).toEqual({ events: 1600, list_index: 0, output_digests: 0, published_snapshots: 0, run_outputs: 1600, runs: 1600 });

    const store = openStore(storePath, { readonly: true });
    const runs = store.listRuns();
    expect(new Set(runs.map((r) => r.id)).size).toBe(1600);
    for (let w = 0; w < 8; w++) {
      const mine = store.listRuns({ slug: `w${w}` });
      expect(mine.length).toBe(200);
      expect(store.listRuns({ slug: `w${w}`, failedOnly: true }).length).toBe(100);
      // Each process's own runs come back newest first, in the order it wrote them.
      expect(mine.map((r) => store.getRun(r.id)?.stdout)).toEqual(Array.from({ length: 200 }, (_, i) => `w${w}:${199 - i}`));
      expect(store.listEvents({ slug: `w${w}` }).map((e) => (e.details as { i: number }).i)).toEqual(Array.from({ length: 200 }, (_, i) => 199 - i));
    }
    store.close();
  });
});
