import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, readFileSync, readSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
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

  // The fstat of a file named in the scope, and reads at explicit offsets (which a FIFO refuses), each keep it so.
  it('takes nothing out of a FIFO it is asked to read by name', async () => {
    const root = tempDir();
    const dirs = Array.from({ length: PREFETCH_MIN_DIRECTORIES }, (_, i) => {
      const dir = path.join(root, `m${i}`);
      mkdirSync(dir);
      return dir;
    });
    const fifo = path.join(dirs[0] as string, 'state.json');
    execFileSync('mkfifo', [fifo]);
    // Holds the FIFO open for writing with bytes waiting in it, so a reader's open and read would both succeed.
    const writer = spawn(process.execPath, [
      '-e',
      `const fs = require('fs'); fs.writeSync(fs.openSync(${JSON.stringify(fifo)}, fs.constants.O_RDWR), 'waiting'); process.stdout.write('ready'); setInterval(() => {}, 1000);`,
    ]);
    try {
      await new Promise<void>((resolve, reject) => {
        writer.stdout.once('data', () => resolve());
        writer.once('exit', () => reject(new Error('the FIFO writer exited')));
      });
      const script = `
        import { startPrefetch } from ${JSON.stringify(path.join(REPO_ROOT, 'dist', 'fs', 'index.js'))};
        startPrefetch(${JSON.stringify(dirs)}, { files: ['state.json'] }).advance(1e9);
        setTimeout(() => {}, 1500);
      `;
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
      expect([result.status, result.stderr]).toEqual([0, '']);
      const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      const buffer = Buffer.alloc(64);
      const read = readSync(fd, buffer);
      closeSync(fd);
      expect(buffer.subarray(0, read).toString()).toBe('waiting');
    } finally {
      writer.kill('SIGKILL');
    }
  });

});

/** Resolves once process `pid` waits in the kernel for a FIFO's reader (so a reader that comes is seen). */
async function writerWaiting(pid: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (readFileSync(`/proc/${pid}/wchan`, 'utf8') === 'wait_for_partner') return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the FIFO writer never started waiting for a reader');
}

describe('the prefetcher and symlinks', () => {
  /**
   * Prefetches `.planning/state.json` of 100 directories whose `.planning`
   * is a real directory or a symlink to `outside`, where a FIFO waits for a
   * reader; resolves to whether its writer got one (opening a FIFO for
   * reading is what lets a blocked writer's open return).
   */
  async function readerReached(linked: boolean): Promise<boolean> {
    const root = tempDir();
    const outside = path.join(root, 'outside');
    mkdirSync(outside);
    const fifo = path.join(outside, 'state.json');
    execFileSync('mkfifo', [fifo]);
    const dirs = Array.from({ length: PREFETCH_MIN_DIRECTORIES }, (_, i) => {
      const dir = path.join(root, 'repo', `m${i}`);
      mkdirSync(dir, { recursive: true });
      if (linked) symlinkSync(outside, path.join(dir, '.planning'));
      else if (i === 0) {
        mkdirSync(path.join(dir, '.planning'));
        renameSync(fifo, path.join(dir, '.planning', 'state.json'));
      }
      return dir;
    });
    const target = linked ? fifo : path.join(dirs[0] as string, '.planning', 'state.json');
    const writer = spawn(process.execPath, ['-e', `require('fs').openSync(${JSON.stringify(target)}, 'w'); process.stdout.write('opened')`]);
    let written = '';
    writer.stdout.on('data', (chunk) => (written += chunk));
    await writerWaiting(writer.pid as number);
    const script = `
      import { startPrefetch } from ${JSON.stringify(path.join(REPO_ROOT, 'dist', 'fs', 'index.js'))};
      startPrefetch(${JSON.stringify(dirs)}, { files: ['.planning/state.json'], subdirs: [{ dir: '.planning', when: '.planning/state.json' }] }).advance(1e9);
      setTimeout(() => {}, 1500);
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect([result.status, result.stderr]).toEqual([0, '']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    writer.kill('SIGKILL');
    return written === 'opened';
  }

  it('reads a file under a real directory, and nothing through a symlinked one', async () => {
    expect(await readerReached(false)).toBe(true);
    expect(await readerReached(true)).toBe(false);
  });
});
