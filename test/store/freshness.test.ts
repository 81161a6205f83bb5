import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprint, indexEntryStaleness, isIndexEntryFresh, openStore, type FreshnessInput } from '../../src/store/index.js';
import { tempDir } from '../support/tmp.js';
import { sleep } from '../support/wait.js';

/** Small racy window for tests, with waits longer than it (and than the kernel's coarse clock tick). */
const WINDOW = { racyWindowMs: 20 };
const SETTLE_MS = 40;
const OLD_MTIME = 1_700_000_000; // whole seconds, so utimes can restore it exactly

function writeOld(file: string, content: string): void {
  fs.writeFileSync(file, content);
  fs.utimesSync(file, OLD_MTIME, OLD_MTIME);
}

/** Fingerprints `paths` the way a caller must: time first, then lstat. */
function capture(paths: string[]): FreshnessInput {
  const recordedAtMs = Date.now();
  return { recordedAtMs, deps: paths.map((p) => fingerprint(p)) };
}

describe('fingerprint', () => {
  it('records lstat fields with nanosecond times and never follows a link', () => {
    const dir = tempDir();
    const file = path.join(dir, 'f.txt');
    writeOld(file, 'hello');
    const stat = fs.lstatSync(file, { bigint: true });
    expect(fingerprint(file)).toEqual({
      path: file,
      kind: 'file',
      size: 5,
      mtimeNs: '1700000000000000000',
      ctimeNs: stat.ctimeNs.toString(),
      ino: stat.ino.toString(),
      dev: stat.dev.toString(),
      mode: Number(stat.mode),
    });
    fs.symlinkSync(file, path.join(dir, 'link'));
    expect(fingerprint(path.join(dir, 'link')).kind).toBe('other');
    expect(fingerprint(dir).kind).toBe('dir');
    const absent = { kind: 'missing', size: 0, mtimeNs: '0', ctimeNs: '0', ino: '0', dev: '0', mode: 0 };
    expect(fingerprint(path.join(dir, 'nope'))).toEqual({ path: path.join(dir, 'nope'), ...absent });
    expect(fingerprint(path.join(file, 'under-a-file'))).toEqual({ path: path.join(file, 'under-a-file'), ...absent });
  });
});

describe('index entry freshness', () => {
  async function settledEntry(): Promise<{ file: string; entry: FreshnessInput; dir: string }> {
    const dir = tempDir();
    const file = path.join(dir, 'state.json');
    writeOld(file, '{"step":"plan"}\n');
    await sleep(SETTLE_MS);
    const entry = capture([file]);
    expect(indexEntryStaleness(entry, WINDOW)).toBeNull();
    expect(isIndexEntryFresh(entry, WINDOW)).toBe(true);
    return { file, entry, dir };
  }

  it('detects a same-size content change whose mtime was restored (ctime moved)', async () => {
    const { file, entry } = await settledEntry();
    fs.writeFileSync(file, '{"step":"done"}\n');
    fs.utimesSync(file, OLD_MTIME, OLD_MTIME);
    expect(fs.statSync(file).size).toBe(entry.deps[0]!.size);
    expect(fingerprint(file).mtimeNs).toBe(entry.deps[0]!.mtimeNs);
    expect(indexEntryStaleness(entry, WINDOW)).toEqual({ reason: 'changed', path: file, fields: ['ctimeNs'] });
    expect(isIndexEntryFresh(entry, WINDOW)).toBe(false);
  });

  it('detects a file replaced by rename with the same size and mtime (inode moved)', async () => {
    const { file, entry, dir } = await settledEntry();
    const temp = path.join(dir, 'state.json.tmp');
    writeOld(temp, '{"step":"done"}\n');
    fs.renameSync(temp, file);
    expect(indexEntryStaleness(entry, WINDOW)).toEqual({ reason: 'changed', path: file, fields: ['ctimeNs', 'ino'] });
  });

  it('detects a touch alone, a chmod, a deletion and a file appearing', async () => {
    const { file, entry, dir } = await settledEntry();
    fs.utimesSync(file, new Date(), new Date());
    expect(indexEntryStaleness(entry, WINDOW)).toEqual({ reason: 'changed', path: file, fields: ['mtimeNs', 'ctimeNs'] });

    const second = await settledEntry();
    fs.chmodSync(second.file, 0o600);
    expect(indexEntryStaleness(second.entry, WINDOW)).toEqual({ reason: 'changed', path: second.file, fields: ['ctimeNs', 'mode'] });

    const third = await settledEntry();
    fs.rmSync(third.file);
    expect(indexEntryStaleness(third.entry, WINDOW)).toEqual({ reason: 'changed', path: third.file, fields: ['kind'] });

    const later = path.join(dir, 'later.md');
    const waiting = capture([later]);
    expect(isIndexEntryFresh(waiting, WINDOW)).toBe(true);
    fs.writeFileSync(later, '');
    expect(indexEntryStaleness(waiting, WINDOW)).toEqual({ reason: 'changed', path: later, fields: ['kind'] });
  });

  it('treats a dependency changed within the racy window as possibly changed', () => {
    const dir = tempDir();
    const file = path.join(dir, 'just-written');
    fs.writeFileSync(file, 'x');
    const entry = capture([file]);
    // Default window: 2 s. The file was written (ctime) just now.
    expect(indexEntryStaleness(entry)).toEqual({ reason: 'racy', path: file });
    // Same with an old mtime: the ctime still says "just now".
    fs.utimesSync(file, OLD_MTIME, OLD_MTIME);
    const restamped = capture([file]);
    expect(indexEntryStaleness(restamped)).toEqual({ reason: 'racy', path: file });
    // Recorded 3 s after both timestamps: trusted.
    expect(indexEntryStaleness({ ...restamped, recordedAtMs: restamped.recordedAtMs + 3000 })).toBeNull();
    // An mtime in the future is never trusted.
    const future = Date.now() / 1000 + 3600;
    fs.utimesSync(file, future, future);
    const ahead = capture([file]);
    expect(indexEntryStaleness({ ...ahead, recordedAtMs: ahead.recordedAtMs + 3000 })).toEqual({ reason: 'racy', path: file });
  });

  it('a symlink dependency is judged by the link, not its target', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'target');
    const link = path.join(dir, 'link');
    writeOld(target, 'a');
    fs.symlinkSync(target, link);
    await sleep(SETTLE_MS);
    const entry = capture([link]);
    writeOld(target, 'bbbb');
    expect(indexEntryStaleness(entry, WINDOW)).toBeNull();
  });

  it('never calls an entry fresh after any change (randomized edits, through the store)', async () => {
    const dir = tempDir();
    const store = openStore(path.join(dir, 'cairn.db'));
    const names = ['manifest.json', 'state.json', 'stage.md'];
    type Op = { file: number; kind: 'noop' | 'same-size-restore-mtime' | 'append' | 'replace-by-rename' | 'delete' | 'recreate-same' | 'touch' | 'chmod' };
    const op = fc.record({
      file: fc.integer({ min: 0, max: names.length - 1 }),
      kind: fc.constantFrom<Op['kind']>('noop', 'same-size-restore-mtime', 'append', 'replace-by-rename', 'delete', 'recreate-same', 'touch', 'chmod'),
    });
    let round = 0;
    let stale = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(fc.string({ minLength: 1, maxLength: 12 }), { nil: null }), { minLength: 3, maxLength: 3 }),
        fc.array(op, { minLength: 1, maxLength: 4 }),
        async (initial, ops) => {
          const root = path.join(dir, `r${round++}`);
          fs.mkdirSync(root);
          const files = names.map((n) => path.join(root, n));
          initial.forEach((content, i) => {
            if (content !== null) writeOld(files[i]!, content);
          });
          const read = (): (string | null)[] => files.map((f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : null));
          await sleep(SETTLE_MS);
          const captured = capture(files);
          store.storeIndex(root, 'm', captured.deps, read(), captured.recordedAtMs);
          const entry = store.lookupIndex(root, 'm')!;
          expect(entry.deps).toEqual(captured.deps);

          let changed = false;
          for (const { file, kind } of ops) {
            const f = files[file]!;
            const exists = fs.existsSync(f);
            const content = exists ? fs.readFileSync(f, 'utf8') : '';
            if (kind === 'noop') continue;
            changed = true;
            if (kind === 'same-size-restore-mtime' || kind === 'recreate-same') {
              if (!exists) {
                writeOld(f, 'new');
                continue;
              }
              if (kind === 'recreate-same') fs.rmSync(f);
              const flipped = kind === 'recreate-same' ? content : [...content].map((c) => (c === 'z' ? 'y' : 'z')).join('');
              writeOld(f, flipped);
            } else if (kind === 'append') {
              fs.appendFileSync(f, '+');
            } else if (kind === 'replace-by-rename') {
              writeOld(`${f}.tmp`, content.length > 0 ? content : 'n');
              fs.renameSync(`${f}.tmp`, f);
            } else if (kind === 'delete') {
              if (exists) fs.rmSync(f);
              else fs.writeFileSync(f, '');
            } else if (kind === 'touch') {
              if (exists) fs.utimesSync(f, new Date(), new Date());
              else fs.writeFileSync(f, '');
            } else {
              if (exists) fs.chmodSync(f, (fs.statSync(f).mode & 0o777) === 0o600 ? 0o644 : 0o600);
              else fs.writeFileSync(f, '');
            }
          }
          const fresh = isIndexEntryFresh(entry, WINDOW);
          // The listing's fast check gives the same answer.
          expect(store.freshIndexRows(root, WINDOW).rows.has('m')).toBe(fresh);
          // A fresh entry's row always equals a full recomputation; an untouched one is fresh.
          if (fresh) expect(entry.row).toEqual(read());
          else stale++;
          if (!changed) expect(fresh).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
    expect(stale).toBeGreaterThan(10);
    store.close();
  });
});
