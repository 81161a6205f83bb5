import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LstatCache, entryKind, staysInside } from '../../src/fs/probe.js';
import { tempDir } from '../support/tmp.js';

describe('LstatCache', () => {
  it('answers for the entries of a listing it was given, and looks at anything else', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'plan.md'), 'x');
    symlinkSync('plan.md', path.join(dir, 'link.md'));
    mkdirSync(path.join(dir, 'sub'));
    const cache = new LstatCache();
    cache.seedListing(dir, readdirSync(dir, { withFileTypes: true }));
    // Changed after the listing: the listing's answer stands for what it held.
    rmSync(path.join(dir, 'plan.md'));
    writeFileSync(path.join(dir, 'late.md'), 'x');
    expect(entryKind(path.join(dir, 'plan.md'), cache)).toBe('file');
    expect(entryKind(path.join(dir, 'link.md'), cache)).toBe('symlink');
    expect(entryKind(path.join(dir, 'sub'), cache)).toBe('other');
    expect(entryKind(path.join(dir, 'late.md'), cache)).toBe('file');
    expect(entryKind(path.join(dir, 'never.md'), cache)).toBe('missing');
    // A path spelled with a trailing separator is not the listed name: looked at (a directory, not a file).
    expect(entryKind(`${path.join(dir, 'sub')}/`, cache)).toBe('other');
    expect(staysInside(dir, 'link.md', cache)).toBe(true);
  });
});
