import { chmodSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprintTree } from '../../src/fs/index.js';
import { readSealKey, sealKey, sealMatches, sealOf } from '../../src/planning/run-seal.js';
import { checkWorkspaceChanges, declaredOutputs, describeDeclaredOutputs } from '../../src/planning/workspace-integrity.js';
import { tempDir } from '../support/tmp.js';

const FILE = `file 644 ${'a'.repeat(64)}`;
const OTHER = `file 644 ${'b'.repeat(64)}`;
const BASE = { '.planning': 'dir 755', '.planning/state.json': FILE, 'manifest.json': FILE };

describe('declared outputs', () => {
  it('lets approaches write only approaches/<idea>.md', () => {
    const outputs = declaredOutputs('approaches');
    expect(outputs.allows('approaches', 'dir')).toBe(true);
    expect(outputs.allows('approaches/a.md', 'file')).toBe(true);
    expect(outputs.allows('approaches', 'file')).toBe(false);
    expect(outputs.allows('approaches/sub', 'dir')).toBe(false);
    expect(outputs.allows('approaches/sub/a.md', 'file')).toBe(false);
    expect(outputs.allows('approaches/a.txt', 'file')).toBe(false);
    expect(outputs.allows('plan.md', 'file')).toBe(false);
  });

  it('lets expand and revise write plan.md and phase docs at the top level only', () => {
    for (const step of ['expand', 'revise'] as const) {
      const outputs = declaredOutputs(step);
      expect(outputs.allows('plan.md', 'file')).toBe(true);
      expect(outputs.allows('phase-1-a-b.md', 'file')).toBe(true);
      expect(outputs.allows('phase-x-a.md', 'file')).toBe(false);
      expect(outputs.allows('docs/phase-1-a.md', 'file')).toBe(false);
      expect(outputs.allows('plan.md', 'dir')).toBe(false);
      expect(outputs.allows('manifest.json', 'file')).toBe(false);
    }
    expect(describeDeclaredOutputs('expand')).toBe('only plan.md and phase-<n>-<name>.md');
  });

  it('gives the review steps and pick-best nothing to write', () => {
    for (const step of ['pick-best', 'review', 'review-2', 'final-review'] as const) {
      expect(declaredOutputs(step).allows('plan.md', 'file')).toBe(false);
      expect(describeDeclaredOutputs(step)).toBe('no files (its output is what it prints)');
    }
  });
});

describe('checkWorkspaceChanges', () => {
  it('accepts changes to declared outputs only, and lists the rest sorted, with how each changed', () => {
    const before = { ...BASE, 'plan.md': FILE, 'phase-1-old.md': FILE };
    const after = {
      '.gitattributes': FILE,
      '.planning': 'dir 755',
      '.planning/state.json': OTHER,
      'manifest.json': 'file 755 ' + 'a'.repeat(64),
      'plan.md': OTHER,
      'phase-1-new.md': FILE,
    };
    expect(checkWorkspaceChanges(before, after, 'revise')).toEqual([
      { path: '.gitattributes', change: 'added' },
      { path: '.planning/state.json', change: 'changed' },
      { path: 'manifest.json', change: 'changed' },
    ]);
    expect(checkWorkspaceChanges(before, before, 'review')).toEqual([]);
  });

  it('refuses a declared output that becomes a symlink, a special file or a directory', () => {
    expect(checkWorkspaceChanges(BASE, { ...BASE, 'plan.md': 'symlink' }, 'expand')).toEqual([{ path: 'plan.md', change: 'added' }]);
    expect(checkWorkspaceChanges(BASE, { ...BASE, 'plan.md': 'other' }, 'expand')).toEqual([{ path: 'plan.md', change: 'added' }]);
    expect(checkWorkspaceChanges({ ...BASE, 'plan.md': FILE }, { ...BASE, 'plan.md': 'dir 755' }, 'expand')).toEqual([{ path: 'plan.md', change: 'changed' }]);
  });

  it('sees a __proto__ file like any other', async () => {
    const dir = tempDir('cairn-fingerprint-');
    const before = await fingerprintTree(dir);
    writeFileSync(path.join(dir, '__proto__'), 'x');
    expect(checkWorkspaceChanges(before, await fingerprintTree(dir), 'expand')).toEqual([{ path: '__proto__', change: 'added' }]);
  });
});

describe('fingerprintTree', () => {
  it('records kind, mode and content hash without following symlinks', async () => {
    const dir = tempDir('cairn-fingerprint-');
    mkdirSync(path.join(dir, 'a'));
    writeFileSync(path.join(dir, 'a', 'f.md'), 'hello\n');
    chmodSync(path.join(dir, 'a', 'f.md'), 0o600);
    symlinkSync('/etc/hostname', path.join(dir, 'link'));
    expect(await fingerprintTree(dir)).toEqual({
      a: `dir ${(statSync(path.join(dir, 'a')).mode & 0o7777).toString(8)}`,
      'a/f.md': 'file 600 5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03',
      link: 'symlink',
    });
  });
});

describe('run seal key', () => {
  it('is created once with mode 0600, shared by concurrent first uses, and checks seals', async () => {
    const file = path.join(tempDir('cairn-seal-'), 'cairn', 'run-seal.key');
    expect(readSealKey(file)).toBeNull();
    const keys = await Promise.all([sealKey(file), sealKey(file), sealKey(file)]);
    expect(new Set(keys.map((key) => key.toString('hex'))).size).toBe(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    const key = keys[0] as Buffer;
    const seal = sealOf(key, 'payload');
    expect(sealMatches(key, 'payload', seal)).toBe(true);
    expect(sealMatches(key, 'payload!', seal)).toBe(false);
    expect(sealMatches(Buffer.alloc(32), 'payload', seal)).toBe(false);
  });

  it('refuses a key file that is a symlink or malformed', () => {
    const dir = tempDir('cairn-seal-');
    const target = path.join(dir, 'elsewhere');
    writeFileSync(target, `${'c'.repeat(64)}\n`);
    symlinkSync(target, path.join(dir, 'link.key'));
    expect(() => readSealKey(path.join(dir, 'link.key'))).toThrow(/run seal key .*link\.key cannot be read/);
    writeFileSync(path.join(dir, 'bad.key'), 'not hex\n');
    expect(() => readSealKey(path.join(dir, 'bad.key'))).toThrow(/is not a cairn run seal key/);
  });
});
