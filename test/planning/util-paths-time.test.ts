import { mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { hasParentTraversal, isInside, isSafeSegment, purePosix, resolvePath, resolvePathWith, toPosix } from '../../src/util/paths.js';
import { localTimestamp, utcTimestamp } from '../../src/util/time.js';
import { tempDir } from '../support/tmp.js';

describe('time', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });
  const instant = new Date('2026-05-14T07:27:12.066Z');

  test.each([
    ['America/Los_Angeles', '2026-05-14T00:27:12.066-07:00'],
    ['UTC', '2026-05-14T07:27:12.066+00:00'],
    ['Asia/Kolkata', '2026-05-14T12:57:12.066+05:30'],
    ['America/St_Johns', '2026-05-14T04:57:12.066-02:30'],
  ])('localTimestamp in %s', (tz, expected) => {
    process.env.TZ = tz;
    expect(localTimestamp(instant)).toBe(expected);
  });

  test('utcTimestamp', () => {
    process.env.TZ = 'America/Los_Angeles';
    expect(utcTimestamp(instant)).toBe('2026-05-14T07:27:12.066+00:00');
    expect(utcTimestamp(new Date('0999-01-02T03:04:05.007Z'))).toBe('0999-01-02T03:04:05.007+00:00');
  });

  test('defaults to now', () => {
    expect(localTimestamp()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    expect(utcTimestamp()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
  });
});

describe('paths', () => {
  test.each([
    ['slug', true],
    ['a-b_c.d', true],
    ['', false],
    ['.hidden', false],
    ['..', false],
    ['__transactions__', false],
    ['_ok', true],
    ['a/b', false],
    ['a/', false],
  ])('isSafeSegment(%j) = %s', (segment, safe) => {
    expect(isSafeSegment(segment)).toBe(safe);
  });

  test.each([
    ['..', true],
    ['a/../b', true],
    ['a/..', true],
    ['..a', false],
    ['a..b/c', false],
    ['./a', false],
  ])('hasParentTraversal(%j) = %s', (p, expected) => {
    expect(hasParentTraversal(p)).toBe(expected);
  });

  test.each([
    ['', '.'],
    ['.', '.'],
    ['./', '.'],
    ['./a', 'a'],
    ['a//b/./c/', 'a/b/c'],
    ['a/../b', 'a/../b'],
    ['/x', '/x'],
    ['//x', '//x'],
    ['///x', '/x'],
  ])('purePosix(%j) = %j', (p, expected) => {
    expect(purePosix(p)).toBe(expected);
  });

  test('isInside is component-wise', () => {
    expect(isInside('/a/b', '/a')).toBe(true);
    expect(isInside('/a', '/a')).toBe(true);
    expect(isInside('/ab', '/a')).toBe(false);
    expect(isInside('/a', '/a/b')).toBe(false);
    expect(isInside('/x', '/')).toBe(true);
  });

  test('toPosix leaves POSIX paths alone', () => {
    expect(toPosix('a/b')).toBe('a/b');
  });

  test('resolvePath follows symlinks component by component, like os.path.realpath', () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'real', 'deep'), { recursive: true });
    symlinkSync(path.join(root, 'real', 'deep'), path.join(root, 'link'));
    // `..` after a symlink applies to the link's target.
    expect(resolvePath(`${root}/link/../x`)).toBe(path.join(root, 'real', 'x'));
    // A missing tail is appended as is.
    expect(resolvePath(path.join(root, 'link', 'missing', 'file.md'))).toBe(path.join(root, 'real', 'deep', 'missing', 'file.md'));
    // Relative links resolve against the link's directory; dangling links are followed.
    symlinkSync('real/deep/nowhere', path.join(root, 'dangling'));
    expect(resolvePath(path.join(root, 'dangling'))).toBe(path.join(root, 'real', 'deep', 'nowhere'));
    // A loop stops resolution.
    symlinkSync('loop-b', path.join(root, 'loop-a'));
    symlinkSync('loop-a', path.join(root, 'loop-b'));
    expect(resolvePath(path.join(root, 'loop-a', 'x'))).toBe(path.join(root, 'loop-a', 'x'));
    // Relative input is resolved against the working directory.
    expect(resolvePath('.')).toBe(realpathSync(process.cwd()));
  });

  test('resolvePathWith gives resolvePath\'s answer for every path, reusing what one map already resolved', () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'real', 'deep', 'stages'), { recursive: true });
    symlinkSync(path.join(root, 'real', 'deep'), path.join(root, 'link'));
    symlinkSync('real/deep/nowhere', path.join(root, 'dangling'));
    symlinkSync('loop-b', path.join(root, 'loop-a'));
    symlinkSync('loop-a', path.join(root, 'loop-b'));
    symlinkSync('../link/stages', path.join(root, 'real', 'up'));
    const paths = [
      `${root}/link/../x`,
      `${root}/link/stages/a.md`,
      `${root}/link/stages/b.md`,
      `${root}/link/missing/file.md`,
      `${root}/dangling`,
      `${root}/dangling/more`,
      `${root}/loop-a/x`,
      `${root}/loop-a/x/y`,
      `${root}/loop-b/../x`,
      `${root}/real/up/c.md`,
      `${root}/real/./deep//stages/`,
      `${root}/real/deep/..`,
      'relative/x',
    ];
    const shared = new Map<string, string>();
    for (const p of [...paths, ...paths]) expect(resolvePathWith(p, shared)).toBe(resolvePath(p));
    for (const p of paths) expect(resolvePathWith(p, new Map())).toBe(resolvePath(p));
    expect(shared.get(`${root}/link/stages`)).toBe(path.join(root, 'real', 'deep', 'stages'));
    expect([...shared.keys()].some((key) => key.startsWith(`${root}/loop-a`))).toBe(false);
  });
});
