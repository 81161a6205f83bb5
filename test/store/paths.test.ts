import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STORE_FILE_NAME, inspectStore, openStore, storePathFor } from '../../src/store/index.js';
import { tempDir } from '../support/tmp.js';

describe('storePathFor', () => {
  it('puts the store in the repository .planning directory', () => {
    expect(STORE_FILE_NAME).toBe('cairn.db');
    expect(storePathFor('/work/repo')).toBe('/work/repo/.planning/cairn.db');
    expect(storePathFor('/work/repo/')).toBe('/work/repo/.planning/cairn.db');
    expect(storePathFor('/work/repo/sub/..')).toBe('/work/repo/.planning/cairn.db');
  });
});

describe('a store path that leads out of the repository', () => {
  function setup(): { repo: string; outside: string; store: string } {
    const root = tempDir('cairn-store-paths-');
    const repo = path.join(root, 'repo');
    const outside = path.join(root, 'outside');
    mkdirSync(outside, { recursive: true });
    mkdirSync(path.join(repo, '.planning'), { recursive: true });
    return { repo, outside, store: storePathFor(repo) };
  }

  it('refuses a linked cairn.db (dangling or not) before SQLite opens it', () => {
    const { outside, store } = setup();
    symlinkSync(path.join(outside, 'cairn.db'), store);
    const dangling = { code: 'unsafe-path', message: 'Refusing to use the local store: `.planning/cairn.db` is a symbolic link that does not resolve.' };
    expect(() => openStore(store)).toThrow(expect.objectContaining(dangling));
    expect(() => openStore(store, { readonly: true })).toThrow(expect.objectContaining(dangling));
    expect(() => inspectStore(store)).toThrow(expect.objectContaining(dangling));
    expect(readdirSync(outside)).toEqual([]);
    writeFileSync(path.join(outside, 'cairn.db'), '');
    expect(() => openStore(store)).toThrow(
      expect.objectContaining({
        code: 'unsafe-path',
        message: `Refusing to use the local store: \`.planning/cairn.db\` is a symbolic link to ${path.join(outside, 'cairn.db')}, outside the repository.`,
      }),
    );
    expect(readdirSync(outside)).toEqual(['cairn.db']);
  });

  it('refuses linked or special side files and a linked .planning', () => {
    const { repo, outside, store } = setup();
    symlinkSync(path.join(outside, 'x-wal'), `${store}-wal`);
    expect(() => openStore(store)).toThrow(expect.objectContaining({ code: 'unsafe-path', path: `${store}-wal` }));
    execFileSync('rm', [`${store}-wal`]);
    execFileSync('mkfifo', [`${store}-shm`]);
    expect(() => openStore(store)).toThrow(
      expect.objectContaining({ code: 'unsafe-path', message: 'Refusing to use the local store: `.planning/cairn.db-shm` is a FIFO, not a regular file.' }),
    );
    execFileSync('rm', ['-r', path.join(repo, '.planning')]);
    symlinkSync(outside, path.join(repo, '.planning'));
    expect(() => openStore(store)).toThrow(expect.objectContaining({ code: 'unsafe-path', path: path.join(repo, '.planning') }));
    expect(readdirSync(outside)).toEqual([]);
  });
});
