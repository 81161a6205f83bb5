import { execFileSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileTooLargeError, NotRegularFileError, readRegularFileSync } from '../../src/fs/regular-file.js';
import { tempDir } from '../support/tmp.js';

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('readRegularFileSync', () => {
  it('reads a regular file whole', () => {
    const file = path.join(tempDir(), 'a.txt');
    writeFileSync(file, 'hello\n');
    expect(readRegularFileSync(file).toString()).toBe('hello\n');
  });

  it('reads empty files and files larger than one read whole', () => {
    const dir = tempDir();
    const big = Buffer.alloc(300 * 1024 + 7, 'x');
    big.write('end', big.length - 3);
    writeFileSync(path.join(dir, 'big'), big);
    writeFileSync(path.join(dir, 'empty'), '');
    expect(readRegularFileSync(path.join(dir, 'big')).equals(big)).toBe(true);
    expect(readRegularFileSync(path.join(dir, 'empty')).length).toBe(0);
  });

  it('refuses a FIFO at once instead of blocking in open()', () => {
    const fifo = path.join(tempDir(), 'config.json');
    execFileSync('mkfifo', [fifo]);
    const error = thrown(() => readRegularFileSync(fifo));
    expect(error).toBeInstanceOf(NotRegularFileError);
    expect((error as NotRegularFileError).message).toBe(`${fifo} is a FIFO, not a regular file; cairn reads only regular files`);
  });

  it('refuses a symlink to /dev/zero, and a file over the cap', () => {
    const dir = tempDir();
    symlinkSync('/dev/zero', path.join(dir, 'manifest.json'));
    expect((thrown(() => readRegularFileSync(path.join(dir, 'manifest.json'))) as NotRegularFileError).kind).toBe('a character device');
    writeFileSync(path.join(dir, 'big'), Buffer.alloc(1025));
    const error = thrown(() => readRegularFileSync(path.join(dir, 'big'), { maxBytes: 1024 }));
    expect(error).toBeInstanceOf(FileTooLargeError);
    expect((error as FileTooLargeError).size).toBe(1025);
    expect(readRegularFileSync(path.join(dir, 'big'), { maxBytes: 1025 }).length).toBe(1025);
  });

  it('with noFollow refuses a symlink as the last component', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'real'), 'x');
    symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'));
    expect((thrown(() => readRegularFileSync(path.join(dir, 'link'), { noFollow: true })) as NodeJS.ErrnoException).code).toBe('ELOOP');
    expect(readRegularFileSync(path.join(dir, 'link')).toString()).toBe('x');
  });
});
