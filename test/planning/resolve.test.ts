import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveMigrationTarget } from '../../src/planning/resolve.js';
import { tempDir } from '../support/tmp.js';

function layout() {
  const repo = tempDir();
  const live = path.join(repo, 'migrations');
  mkdirSync(path.join(live, 'alpha', '.planning'), { recursive: true });
  mkdirSync(path.join(live, 'beta'), { recursive: true });
  mkdirSync(path.join(live, '__transactions__'), { recursive: true });
  mkdirSync(path.join(live, '.hidden'), { recursive: true });
  mkdirSync(path.join(repo, 'src'), { recursive: true });
  writeFileSync(path.join(live, 'notes.txt'), 'x');
  return { repo, live };
}

function refusal(value: string, live: string, repo: string): string {
  try {
    resolveMigrationTarget(value, live, repo);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`expected ${value} to be refused`);
}

describe('resolveMigrationTarget (docs/format.md §15)', () => {
  it('resolves a slug, a repo-relative path, a dotted path and an absolute path', () => {
    const { repo, live } = layout();
    const alpha = { slug: 'alpha', path: path.join(live, 'alpha') };
    expect(resolveMigrationTarget('alpha', live, repo)).toEqual(alpha);
    expect(resolveMigrationTarget('migrations/alpha', live, repo)).toEqual(alpha);
    expect(resolveMigrationTarget('./migrations/alpha', live, repo)).toEqual(alpha);
    expect(resolveMigrationTarget('migrations/alpha/', live, repo)).toEqual(alpha);
    expect(resolveMigrationTarget(path.join(live, 'alpha'), live, repo)).toEqual(alpha);
  });

  it('refuses parent traversal before resolving', () => {
    const { repo, live } = layout();
    expect(refusal('migrations/../migrations/alpha', live, repo)).toBe(
      'Migration path must not contain parent traversal: migrations/../migrations/alpha',
    );
    expect(refusal('../x', live, repo)).toBe('Migration path must not contain parent traversal: ../x');
  });

  it('never takes a symlink inside the live root as a target', () => {
    const { repo, live } = layout();
    symlinkSync(path.join(live, 'alpha'), path.join(live, 'link'));
    expect(refusal('link', live, repo)).toBe("Migration 'link' does not exist.");
    expect(refusal('migrations/link', live, repo)).toBe(`Migration path must not be a symlink: ${path.join(live, 'link')}`);
  });

  it('refuses paths outside the live root, nested paths, internal names and files', () => {
    const { repo, live } = layout();
    expect(refusal('src', live, repo)).toBe(`Migration path must stay inside live migrations dir: ${path.join(repo, 'src')}`);
    expect(refusal('/tmp', live, repo)).toBe(`Migration path must stay inside live migrations dir: ${realpathSync('/tmp')}`);
    expect(refusal('migrations/alpha/.planning', live, repo)).toBe(
      `Migration path must identify a direct migration directory: ${path.join(live, 'alpha', '.planning')}`,
    );
    expect(refusal('migrations', live, repo)).toBe(`Migration path must identify a direct migration directory: ${live}`);
    expect(refusal('migrations/__transactions__', live, repo)).toBe(
      `Migration path targets a hidden or internal directory: ${path.join(live, '__transactions__')}`,
    );
    expect(refusal('migrations/.hidden', live, repo)).toBe(
      `Migration path targets a hidden or internal directory: ${path.join(live, '.hidden')}`,
    );
    expect(refusal('migrations/notes.txt', live, repo)).toBe(`Migration path is not a directory: ${path.join(live, 'notes.txt')}`);
    expect(refusal('migrations/nope', live, repo)).toBe(`Migration path is not a directory: ${path.join(live, 'nope')}`);
  });

  it('refuses internal and hidden slugs, and names an unknown slug', () => {
    const { repo, live } = layout();
    expect(refusal('__transactions__', live, repo)).toBe("Migration '__transactions__' does not exist.");
    expect(refusal('gamma', live, repo)).toBe("Migration 'gamma' does not exist.");
    expect(refusal('.hidden', live, repo)).toBe(`Migration path must stay inside live migrations dir: ${path.join(repo, '.hidden')}`);
  });

  it('reports ambiguity between a slug and a different path candidate', () => {
    const { repo, live } = layout();
    symlinkSync(path.join(live, 'beta'), path.join(repo, 'alpha'));
    expect(refusal('alpha', live, repo)).toBe(
      `Migration target 'alpha' is ambiguous between ${path.join(live, 'alpha')} and ${path.join(live, 'beta')}.`,
    );
  });
});
