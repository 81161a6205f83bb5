import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesLookCached } from '../../src/fs/cache-probe.js';
import { tempDir } from '../support/tmp.js';

function dirs(count: number, make: (dir: string, i: number) => void): string[] {
  const root = tempDir();
  return Array.from({ length: count }, (_, i) => {
    const dir = path.join(root, `m${i}`);
    mkdirSync(dir);
    make(dir, i);
    return dir;
  });
}

describe('filesLookCached', () => {
  it('says files just written read from the page cache', () => {
    const written = dirs(40, (dir) => writeFileSync(path.join(dir, 'plan.md'), '# Plan\n'.repeat(100)));
    expect(filesLookCached(written, 'plan.md')).toBe(true);
  });

  it('counts nothing it cannot read as a regular file directly in a real directory, and then says no', () => {
    const outside = tempDir();
    writeFileSync(path.join(outside, 'plan.md'), 'x');
    execFileSync('mkfifo', [path.join(outside, 'fifo')]);
    const odd = dirs(40, (dir, i) => {
      if (i % 4 === 0) symlinkSync(path.join(outside, 'plan.md'), path.join(dir, 'plan.md'));
      else if (i % 4 === 1) symlinkSync(path.join(outside, 'fifo'), path.join(dir, 'plan.md'));
      else if (i % 4 === 2) mkdirSync(path.join(dir, 'plan.md'));
    });
    expect(filesLookCached(odd, 'plan.md')).toBe(false);
    const linkedDirs = dirs(40, () => {}).map((dir, i) => {
      const link = `${dir}-link`;
      symlinkSync(outside, link);
      return i % 2 === 0 ? link : dir;
    });
    expect(filesLookCached(linkedDirs, 'plan.md')).toBe(false);
  });

  it('probes only a name directly in each directory', () => {
    const nested = dirs(40, (dir) => {
      mkdirSync(path.join(dir, '.planning'));
      writeFileSync(path.join(dir, '.planning', 'state.json'), '{}');
    });
    expect(filesLookCached(nested, '.planning/state.json')).toBe(false);
    expect(filesLookCached(nested, '..')).toBe(false);
    expect(filesLookCached([], 'plan.md')).toBe(false);
  });
});
