import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PREFETCH_MIN_DIRECTORIES, mapPrefetched } from '../../src/fs/index.js';
import { REPO_ROOT } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

/** `count` directories holding a file `a`, a FIFO `fifo` and a directory `sub` with a file `b`. */
function directories(count: number): string[] {
  const root = tempDir();
  return Array.from({ length: count }, (_, i) => {
    const dir = path.join(root, `d${String(i).padStart(4, '0')}`);
    mkdirSync(path.join(dir, 'sub'), { recursive: true });
    writeFileSync(path.join(dir, 'a'), `a${i}`);
    writeFileSync(path.join(dir, 'sub', 'b'), `b${i}`);
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    return dir;
  });
}

describe('mapPrefetched', () => {
  it('maps every item in order, with or without a prefetcher, whatever the directories hold', async () => {
    for (const count of [3, PREFETCH_MIN_DIRECTORIES + 20]) {
      const dirs = directories(count);
      for (const scope of [{ files: ['a', 'fifo', 'missing'] }, { tree: true }, { topLevel: true, subdirs: [{ dir: 'sub', when: 'a' }, { dir: 'none', when: 'missing' }] }]) {
        const mapped = await mapPrefetched(dirs, (dir) => dir, scope, async (dir, index) => `${index}:${path.basename(dir)}`);
        expect(mapped).toEqual(dirs.map((dir, index) => `${index}:${path.basename(dir)}`));
      }
    }
  });

  it('stops its prefetcher when the scan throws', async () => {
    const dirs = directories(PREFETCH_MIN_DIRECTORIES);
    await expect(
      mapPrefetched(dirs, (dir) => dir, { tree: true }, async (_dir, index) => {
        if (index === 5) throw new Error('scan failed');
        return index;
      }),
    ).rejects.toThrow('scan failed');
  });
});

describe('startPrefetch', () => {
  it('never keeps the process alive, even with FIFOs to read and a scan that never advances', () => {
    const dirs = directories(PREFETCH_MIN_DIRECTORIES + 5);
    const script = `
      import { startPrefetch } from ${JSON.stringify(path.join(REPO_ROOT, 'dist', 'fs', 'index.js'))};
      startPrefetch(${JSON.stringify(dirs)}, { tree: true });
      startPrefetch(${JSON.stringify(dirs)}, { topLevel: true, subdirs: [{ dir: 'sub', when: 'fifo' }] }).advance(1e9);
      startPrefetch(${JSON.stringify(dirs)}, { files: ['fifo', 'a'] }).advance(1e9);
      process.stdout.write('started\\n');
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect([result.status, result.signal, result.stdout, result.stderr]).toEqual([0, null, 'started\n', '']);
  });

});
