import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodePublishedRecord,
  encodePublishedRecord,
  publishedRecordPath,
  readPublishedRecord,
  writePublishedRecord,
} from '../../src/publish/published-record.js';
import { git, gitRepo } from '../support/git.js';
import { tempDir } from '../support/tmp.js';

const ID = 'a'.repeat(64);
const OTHER = '0123456789abcdef'.repeat(4);

describe('published-snapshot record codec', () => {
  it('encodes sorted keys, two-space indent, a final newline', () => {
    expect(encodePublishedRecord({ liveDir: 'migrations/alpha', snapshotId: ID })).toBe(
      `{\n  "live_dir": "migrations/alpha",\n  "snapshot_id": "${ID}",\n  "version": 1\n}\n`,
    );
  });

  it('decodes what it encodes, also compact and reordered', () => {
    const record = { liveDir: 'a/b/c', snapshotId: OTHER };
    expect(decodePublishedRecord(encodePublishedRecord(record))).toEqual(record);
    expect(decodePublishedRecord(`{"version":1,"snapshot_id":"${OTHER}","live_dir":"a/b/c"}`)).toEqual(record);
  });

  it.each([
    ['empty text', ''],
    ['not JSON', 'snapshot'],
    ['an array', `["migrations/alpha", "${ID}"]`],
    ['a string', `"${ID}"`],
    ['a missing key', `{"live_dir":"migrations/alpha","snapshot_id":"${ID}"}`],
    ['an unknown key', `{"live_dir":"migrations/alpha","snapshot_id":"${ID}","version":1,"by":"me"}`],
    ['another version', `{"live_dir":"migrations/alpha","snapshot_id":"${ID}","version":2}`],
    ['a string version', `{"live_dir":"migrations/alpha","snapshot_id":"${ID}","version":"1"}`],
    ['an empty live_dir', `{"live_dir":"","snapshot_id":"${ID}","version":1}`],
    ['a numeric live_dir', `{"live_dir":7,"snapshot_id":"${ID}","version":1}`],
    ['uppercase hex', `{"live_dir":"migrations/alpha","snapshot_id":"${'A'.repeat(64)}","version":1}`],
    ['a short id', `{"live_dir":"migrations/alpha","snapshot_id":"${'a'.repeat(63)}","version":1}`],
    ['a long id', `{"live_dir":"migrations/alpha","snapshot_id":"${'a'.repeat(65)}","version":1}`],
    ['a null id', `{"live_dir":"migrations/alpha","snapshot_id":null,"version":1}`],
  ])('refuses %s', (_name, text) => {
    expect(decodePublishedRecord(text)).toBeNull();
  });
});

describe('reading and writing the record', () => {
  function repo(): { root: string; live: string } {
    const root = gitRepo({ prefix: 'cairn-record-' });
    const live = path.join(root, 'migrations');
    mkdirSync(live);
    return { root, live };
  }

  it('writes .planning/work/.published/<slug>.json and reads it back for the same live directory only', async () => {
    const { root, live } = repo();
    await writePublishedRecord(root, live, 'alpha', ID);
    const file = path.join(root, '.planning', 'work', '.published', 'alpha.json');
    expect(publishedRecordPath(root, 'alpha')).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe(encodePublishedRecord({ liveDir: 'migrations/alpha', snapshotId: ID }));
    expect(readPublishedRecord(root, live, 'alpha')).toBe(ID);
    const otherLive = path.join(root, 'elsewhere');
    mkdirSync(otherLive);
    expect(readPublishedRecord(root, otherLive, 'alpha')).toBeNull();
    expect(readPublishedRecord(root, live, 'beta')).toBeNull();
    await writePublishedRecord(root, live, 'alpha', OTHER);
    expect(readPublishedRecord(root, live, 'alpha')).toBe(OTHER);
    expect(readPublishedRecord(root, live, 'alpha', OTHER)).toBe(OTHER);
    expect(readPublishedRecord(root, live, 'alpha', ID)).toBeNull();
  });

  it('does not trust a record git tracks', async () => {
    const { root, live } = repo();
    await writePublishedRecord(root, live, 'alpha', ID);
    git(root, ['add', '--force', '--', '.planning/work/.published/alpha.json']);
    expect(readPublishedRecord(root, live, 'alpha')).toBeNull();
  });

  it('does not trust a malformed record or one that is not a regular file', async () => {
    const { root, live } = repo();
    const file = publishedRecordPath(root, 'alpha');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `{"live_dir":"migrations/alpha","snapshot_id":"${ID}","version":1,"extra":true}`);
    expect(readPublishedRecord(root, live, 'alpha')).toBeNull();
    const target = path.join(root, 'target.json');
    writeFileSync(target, encodePublishedRecord({ liveDir: 'migrations/beta', snapshotId: ID }));
    symlinkSync(target, publishedRecordPath(root, 'beta'));
    expect(readPublishedRecord(root, live, 'beta')).toBeNull();
    mkdirSync(publishedRecordPath(root, 'gamma'));
    expect(readPublishedRecord(root, live, 'gamma')).toBeNull();
  });

  it('never writes through a symlink, and refuses one on the way', async () => {
    const { root, live } = repo();
    const outside = tempDir('cairn-record-outside-');
    const victim = path.join(outside, 'victim.json');
    writeFileSync(victim, 'untouched\n');
    const dir = path.dirname(publishedRecordPath(root, 'alpha'));
    mkdirSync(dir, { recursive: true });
    symlinkSync(victim, publishedRecordPath(root, 'alpha'));
    await expect(writePublishedRecord(root, live, 'alpha', ID)).rejects.toThrow(/alpha\.json` is a symbolic link; the record is not written through it/);
    expect(readFileSync(victim, 'utf8')).toBe('untouched\n');

    const other = repo();
    mkdirSync(path.join(other.root, '.planning'));
    symlinkSync(outside, path.join(other.root, '.planning', 'work'));
    await expect(writePublishedRecord(other.root, other.live, 'alpha', ID)).rejects.toThrow(/`\.planning\/work` is a symbolic link; the record is not written through it/);
    expect(existsSync(path.join(outside, '.published'))).toBe(false);
  });
});
