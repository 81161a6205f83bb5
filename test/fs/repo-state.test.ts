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
    expect(repoStateChanges(before, after)).toEqual(['live1/x.md', 'live[1]-old/x.md', 'src/a.js']);
    // With the live root outside the repository or at its top, nothing is left out.
    expect([...(captureRepoState(repo, ['../elsewhere', ''])?.entries.keys() ?? [])].sort()).toEqual([
      'live1/x.md',
      'live[1]-old/x.md',
      'live[1]/fresh/y.md',
      'live[1]/x.md',
      'src/a.js',
    ]);
  });

  it('leaves a large live root out of the walk for untracked files and still sees everything beside it', () => {
    const repo = seeded();
    for (const live of ['migrations', 'nested/live']) {
      for (let i = 0; i < 300; i++) {
        mkdirSync(path.join(repo, live, `m${i}`), { recursive: true });
        writeFileSync(path.join(repo, live, `m${i}`, 'manifest.json'), '{}\n');
      }
    }
    writeFileSync(path.join(repo, 'README'), 'r\n');
    writeFileSync(path.join(repo, 'nested', 'kept.md'), 'k\n');
    commitAll(repo, 'live roots');
    const change = (): void => {
      writeFileSync(path.join(repo, 'notes.txt'), 'untracked at the top\n');
      writeFileSync(path.join(repo, 'src', 'new.js'), 'untracked in src\n');
      writeFileSync(path.join(repo, 'nested', 'other.md'), 'untracked beside the nested live root\n');
      mkdirSync(path.join(repo, 'ignored'));
      writeFileSync(path.join(repo, 'ignored', 'x'), 'ignored\n');
      rmSync(path.join(repo, 'README'));
      rmSync(path.join(repo, 'nested', 'kept.md'));
      writeFileSync(path.join(repo, 'src', 'a.js'), 'edited\n');
      for (const live of ['migrations', 'nested/live']) {
        writeFileSync(path.join(repo, live, 'm1', 'manifest.json'), 'edited\n');
        mkdirSync(path.join(repo, live, 'fresh'));
        writeFileSync(path.join(repo, live, 'fresh', 'manifest.json'), '{}\n');
      }
    };
    const before = { top: captureRepoState(repo, ['migrations']), nested: captureRepoState(repo, ['nested/live']) };
    change();
    const top = captureRepoState(repo, ['migrations']);
    const nested = captureRepoState(repo, ['nested/live']);
    const common = ['README', 'nested/kept.md', 'nested/other.md', 'notes.txt', 'src/a.js', 'src/new.js'];
    expect([...(top?.entries.keys() ?? [])].sort()).toEqual([...common, 'nested/live/fresh/manifest.json', 'nested/live/m1/manifest.json'].sort());
    expect([...(nested?.entries.keys() ?? [])].sort()).toEqual([...common, 'migrations/fresh/manifest.json', 'migrations/m1/manifest.json'].sort());
    expect(top?.entries.get('notes.txt')).toMatch(/^\?:[0-9a-f]{64}$/);
    expect(top?.entries.get('README')).toBe('.D:-');
    expect(repoStateChanges(before.top, top)).toEqual([...common, 'nested/live/fresh/manifest.json', 'nested/live/m1/manifest.json'].sort());
    expect(repoStateChanges(before.nested, nested)).toEqual([...common, 'migrations/fresh/manifest.json', 'migrations/m1/manifest.json'].sort());
  });

  it('works for a project in a directory of a larger repository, its live root relative to the project', () => {
    const repo = seeded();
    const project = path.join(repo, 'project');
    mkdirSync(path.join(project, 'live', 'm'), { recursive: true });
    writeFileSync(path.join(project, 'live', 'm', 'manifest.json'), '{}\n');
    writeFileSync(path.join(project, 'tool.js'), 't\n');
    // A directory of the repository named like the project's live root is not the live root.
    mkdirSync(path.join(repo, 'live'));
    writeFileSync(path.join(repo, 'live', 'other.md'), 'o\n');
    commitAll(repo, 'project');
    writeFileSync(path.join(repo, 'src', 'a.js'), 'dirty before\n');
    const before = captureRepoState(project, ['live']);
    writeFileSync(path.join(repo, 'src', 'a.js'), 'dirty after\n');
    writeFileSync(path.join(project, 'tool.js'), 'edited\n');
    writeFileSync(path.join(project, 'live', 'm', 'manifest.json'), 'edited\n');
    writeFileSync(path.join(repo, 'live', 'other.md'), 'edited\n');
    const after = captureRepoState(project, ['live']);
    // Paths are the repository's; a second edit of an already dirty file is seen, so its content was found.
    expect([...(after?.entries.keys() ?? [])].sort()).toEqual(['live/other.md', 'project/tool.js', 'src/a.js']);
    expect(repoStateChanges(before, after)).toEqual(['live/other.md', 'project/tool.js', 'src/a.js']);
  });
});
