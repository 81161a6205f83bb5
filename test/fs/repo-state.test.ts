import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureRepoState, repoStateChanges } from '../../src/fs/index.js';
import { commitAll, git, gitRepo } from '../support/git.js';
import { tempDir } from '../support/tmp.js';

/*
 * The outside-writes check of a planning step: what changed in the
 * repository between two captures, whatever kind of change it was.
 */

/** A repository with a few committed files, one of them with a space and one with a newline in its name. */
function seeded(): string {
  const repo = gitRepo({ commit: false });
  mkdirSync(path.join(repo, 'src'));
  writeFileSync(path.join(repo, 'src', 'a.js'), 'a\n');
  writeFileSync(path.join(repo, 'src', 'b c.js'), 'b\n');
  writeFileSync(path.join(repo, 'src', 'new\nline.js'), 'n\n');
  writeFileSync(path.join(repo, '.gitignore'), 'ignored/\n');
  commitAll(repo, 'seed');
  return repo;
}

function changesAfter(repo: string, change: () => void): string[] {
  const before = captureRepoState(repo);
  change();
  return repoStateChanges(before, captureRepoState(repo));
}

describe('repoStateChanges between two captures', () => {
  it('names an edit, a new file, a deletion and a symlink, each once, and nothing for an untouched tree', () => {
    const repo = seeded();
    expect(changesAfter(repo, () => {})).toEqual([]);
    expect(
      changesAfter(repo, () => {
        writeFileSync(path.join(repo, 'src', 'a.js'), 'edited\n');
        writeFileSync(path.join(repo, 'src', 'b c.js'), 'edited\n');
        writeFileSync(path.join(repo, 'src', 'fresh.js'), 'new\n');
        rmSync(path.join(repo, 'src', 'new\nline.js'));
        symlinkSync('a.js', path.join(repo, 'src', 'link.js'));
      }),
    ).toEqual(['src/a.js', 'src/b c.js', 'src/fresh.js', 'src/link.js', 'src/new\nline.js']);
  });

  it('sees a second edit of a file that was already changed, and leaves ignored files out', () => {
    const repo = seeded();
    writeFileSync(path.join(repo, 'src', 'a.js'), 'dirty before\n');
    expect(
      changesAfter(repo, () => {
        writeFileSync(path.join(repo, 'src', 'a.js'), 'dirty after\n');
        mkdirSync(path.join(repo, 'ignored'));
        writeFileSync(path.join(repo, 'ignored', 'x'), 'x\n');
      }),
    ).toEqual(['src/a.js']);
  });

  it('names a staged rename by both paths, and a commit as HEAD', () => {
    const repo = seeded();
    expect(changesAfter(repo, () => git(repo, ['mv', 'src/b c.js', 'src/d.js']))).toEqual(['src/b c.js', 'src/d.js']);
    expect(changesAfter(repo, () => commitAll(repo, 'moved'))).toEqual(['HEAD', 'src/b c.js', 'src/d.js']);
  });

  it('sees the first commit of a repository that had none', () => {
    const repo = gitRepo({ commit: false });
    writeFileSync(path.join(repo, 'a'), 'a\n');
    const before = captureRepoState(repo);
    expect(before?.head).toBeNull();
    commitAll(repo, 'first');
    expect(repoStateChanges(before, captureRepoState(repo))).toEqual(['HEAD', 'a']);
  });

  it('is null outside a git work tree', () => {
    expect(captureRepoState(tempDir())).toBeNull();
  });

  it('leaves out what is under an excluded directory, taken literally, and nothing beside it', () => {
    const repo = seeded();
    for (const dir of ['live[1]', 'live1', 'live[1]-old']) {
      mkdirSync(path.join(repo, dir));
      writeFileSync(path.join(repo, dir, 'x.md'), 'x\n');
    }
    commitAll(repo, 'live');
    const lane = ['live[1]'];
    const change = (): void => {
      for (const dir of ['live[1]', 'live1', 'live[1]-old']) writeFileSync(path.join(repo, dir, 'x.md'), 'edited\n');
      mkdirSync(path.join(repo, 'live[1]', 'fresh'));
      writeFileSync(path.join(repo, 'live[1]', 'fresh', 'y.md'), 'y\n');
      writeFileSync(path.join(repo, 'src', 'a.js'), 'edited\n');
    };
    const before = captureRepoState(repo, lane);
    change();
    const after = captureRepoState(repo, lane);
    expect([...(after?.entries.keys() ?? [])].sort()).toEqual(['live1/x.md', 'live[1]-old/x.md', 'src/a.js']);
    expect(repoStateChanges(before, after, lane)).toEqual(['live1/x.md', 'live[1]-old/x.md', 'src/a.js']);
    // Asked from a subdirectory, and with the live root outside the repository or at its top, the same.
    expect([...(captureRepoState(path.join(repo, 'src'), lane)?.entries.keys() ?? [])].sort()).toEqual(['live1/x.md', 'live[1]-old/x.md', 'src/a.js']);
    expect([...(captureRepoState(repo, ['../elsewhere', ''])?.entries.keys() ?? [])].sort()).toEqual([
      'live1/x.md',
      'live[1]-old/x.md',
      'live[1]/fresh/y.md',
      'live[1]/x.md',
      'src/a.js',
    ]);
  });
});
