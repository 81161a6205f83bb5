import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRegularFileWithStatsSync } from '../../src/fs/index.js';
import { RACY_WINDOW_MS, STORE_MIGRATIONS, fingerprintOfStats, openOutputDigestReader, openStore, type OutputDigest } from '../../src/store/index.js';
import { tempDir } from '../support/tmp.js';

/* The verified digests table and the reader doctor uses, on a real store and real files. */

/** A recording time past the racy window of a file written just now, without waiting it out. */
const LATER = () => Date.now() + RACY_WINDOW_MS + 1000;

function digestOf(file: string, recordedAtMs: number): OutputDigest {
  const { bytes, stats } = readRegularFileWithStatsSync(file);
  return { file, fingerprint: fingerprintOfStats(file, stats), sha256: createHash('sha256').update(bytes).digest('hex'), recordedAtMs };
}

function setup() {
  const repo = tempDir();
  const live = path.join(repo, 'migrations');
  const file = path.join(live, 'a', '.planning', 'stages', 'expand.stdout.md');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'expanded\n');
  return { repo, live, file, storePath: path.join(repo, '.planning', 'cairn.db') };
}

describe('verified digests', () => {
  it('matches a fresh record with the right digest only, and the reader writes nothing', () => {
    const { live, file, storePath } = setup();
    const store = openStore(storePath);
    const digest = digestOf(file, LATER());
    expect(store.storeOutputDigests(live, [digest])).toBe(1);
    expect(store.lookupOutputDigestsLazy(live).get(file)).toEqual(digest);
    store.close();
    const files = fs.readdirSync(path.dirname(storePath)).sort();
    const bytes = fs.readFileSync(storePath);

    const reader = openOutputDigestReader(storePath);
    expect(reader.matches(live, file, digest.sha256)).toBe(true);
    expect([reader.holdsAny(live), reader.holdsAny(path.join(path.dirname(live), 'elsewhere'))]).toEqual([true, false]);
    expect(reader.matches(live, file, '0'.repeat(64))).toBe(false);
    expect(reader.matches(path.join(live, 'a'), file, digest.sha256)).toBe(false);
    expect(reader.matches(live, path.join(live, 'b', 'x.md'), digest.sha256)).toBe(false);
    // A record taken within the racy window of the file's last change is not trusted.
    const racy = openStore(storePath);
    racy.storeOutputDigests(live, [{ ...digest, recordedAtMs: Number(BigInt(digest.fingerprint.ctimeNs) / 1_000_000n) + RACY_WINDOW_MS - 1 }]);
    racy.close();
    const racyReader = openOutputDigestReader(storePath);
    expect(racyReader.matches(live, file, digest.sha256)).toBe(false);
    racyReader.close();
    reader.close();
    expect(fs.readdirSync(path.dirname(storePath)).sort()).toEqual(files);
    expect(fs.readFileSync(storePath).equals(bytes)).toBe(false); // the racy write above changed it, not the readers
  });

  it('prunes records of files no longer named, and refuses a record outside the live root', () => {
    const { live, file, storePath } = setup();
    const store = openStore(storePath);
    store.storeOutputDigests(live, [digestOf(file, LATER())]);
    expect(store.deleteOutputDigestsExcept(live, [file])).toBe(0);
    expect(store.deleteOutputDigestsExcept(live, [])).toBe(1);
    expect([...store.lookupOutputDigestsLazy(live).files()]).toEqual([]);
    expect(() => store.storeOutputDigests(path.join(live, 'b'), [digestOf(file, Date.now())])).toThrow(/is not inside/);
    store.close();
  });

  it('gives a reader that matches nothing for a missing store and a store of the previous version', () => {
    const { live, file, storePath } = setup();
    const sha = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    expect(openOutputDigestReader(storePath).matches(live, file, sha)).toBe(false);
    expect(openOutputDigestReader(storePath).holdsAny(live)).toBe(false);
    expect(fs.existsSync(path.dirname(storePath))).toBe(false);
    openStore(storePath, { migrations: STORE_MIGRATIONS.slice(0, 2) }).close();
    expect(openOutputDigestReader(storePath).matches(live, file, sha)).toBe(false);
    expect(openOutputDigestReader(storePath).holdsAny(live)).toBe(false);
    openStore(storePath).close();
    expect(openOutputDigestReader(storePath).holdsAny(live)).toBe(false);
  });

  it('answers alike when it reads the records of one migration at a time and, after many, of the whole root at once', () => {
    const { live, storePath } = setup();
    const files = Array.from({ length: 40 }, (_, i) => {
      const file = path.join(live, `m-${String(i).padStart(2, '0')}`, '.planning', 'stages', 'review.stdout.md');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `review ${i}\n`);
      return file;
    });
    const store = openStore(storePath);
    const digests = files.map((file) => digestOf(file, LATER()));
    // Every other file recorded.
    store.storeOutputDigests(live, digests.filter((_, i) => i % 2 === 0));
    store.close();
    const reader = openOutputDigestReader(storePath);
    expect(digests.map((digest) => reader.matches(live, digest.file, digest.sha256))).toEqual(digests.map((_, i) => i % 2 === 0));
    reader.close();
  });
});
