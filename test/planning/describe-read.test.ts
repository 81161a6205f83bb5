import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { doctorMigration, type InspectedFiles } from '../../src/consistency/index.js';
import { describeMigration } from '../../src/planning/index.js';
import { fixtureRepo } from '../support/repo.js';

/*
 * `cairn report` describes each migration from the manifest and state its
 * doctor check just loaded. Whatever the files hold, that must describe it
 * exactly as reading them afresh does (`cairn status`).
 */

/** What `describeMigration` gives or throws, as plain data. */
async function outcome(run: () => Promise<unknown>): Promise<unknown> {
  try {
    return { described: await run() };
  } catch (error) {
    return { threw: error instanceof Error ? error.message : String(error) };
  }
}

async function bothWays(repo: string, slug: string): Promise<{ fresh: unknown; fromCheck: unknown; read: InspectedFiles | undefined }> {
  const dir = path.join(repo, 'migrations', slug);
  const roots = new Map<string, string>();
  let read: InspectedFiles | undefined;
  await doctorMigration({ slug, path: dir }, { repoRoot: repo, onLoaded: (files) => void (read = files) });
  const fresh = await outcome(() => describeMigration(slug, dir, repo, 'when-flagged', roots));
  const fromCheck = await outcome(() => describeMigration(slug, dir, repo, 'when-flagged', roots, read));
  return { fresh, fromCheck, read };
}

describe('describeMigration from what a doctor check read', () => {
  it('describes every fixture migration exactly as a fresh read does', async () => {
    const repo = fixtureRepo({ commit: false });
    const slugs = readdirSync(path.join(repo, 'migrations')).filter((name) => !name.startsWith('__'));
    let reused = 0;
    for (const slug of slugs) {
      const { fresh, fromCheck, read } = await bothWays(repo, slug);
      expect(fromCheck, slug).toEqual(fresh);
      if (read?.state !== undefined) reused++;
    }
    // Most fixture migrations load cleanly, so the shortcut is what the comparison exercised.
    expect(reused).toBeGreaterThan(slugs.length / 2);
  });

  it('validates a state doctor only decoded (a ready migration) and reports what is wrong with it', async () => {
    const repo = fixtureRepo({ commit: false });
    const slug = 'inline-permission-checks-in-search-20260408T130909';
    const stages = path.join(repo, 'migrations', slug, '.planning', 'stages');
    const [first] = readdirSync(stages).sort();
    rmSync(path.join(stages, first as string));
    const { fresh, fromCheck, read } = await bothWays(repo, slug);
    expect(read?.stateValidated).toBe(false);
    expect(read?.state).not.toBeUndefined();
    expect(fromCheck).toEqual(fresh);
    expect(fresh).toMatchObject({ described: { state: null, stateError: expect.stringContaining('missing planning output') } });
  });

  it('says a planning migration has no state, and reads again a state doctor could not use', async () => {
    const repo = fixtureRepo({ commit: false });
    const missing = 'deduplicate-feature-flags-in-payments-20260322T165923';
    rmSync(path.join(repo, 'migrations', missing, '.planning', 'state.json'));
    const gone = await bothWays(repo, missing);
    expect(gone.read?.state).toBeNull();
    expect(gone.fromCheck).toEqual(gone.fresh);
    expect(gone.fresh).toMatchObject({ described: { state: null, stateError: 'Planning migration is missing .planning/state.json.' } });

    const broken = 'isolate-feature-flags-in-auth-20260510T193323';
    const stateFile = path.join(repo, 'migrations', broken, '.planning', 'state.json');
    writeFileSync(stateFile, readFileSync(stateFile, 'utf8').slice(0, 40));
    const cut = await bothWays(repo, broken);
    expect(cut.read?.state).toBeUndefined();
    expect(cut.fromCheck).toEqual(cut.fresh);
    expect(cut.fresh).toMatchObject({ described: { state: null, stateError: expect.stringContaining('Could not parse planning state') } });
  });

  it('judges a stage output the check already looked at as a fresh look does: a FIFO, a symlink, a directory', async () => {
    const repo = fixtureRepo({ commit: false });
    const slug = 'inline-permission-checks-in-search-20260408T130909';
    const stages = path.join(repo, 'migrations', slug, '.planning', 'stages');
    const [first] = readdirSync(stages).sort();
    const output = path.join(stages, first as string);
    // A symlink to a sibling output is followed: refs of a live state are judged by where they lead.
    const expected: Record<string, string | null> = {
      fifo: 'must be a regular file, not a FIFO',
      symlink: null,
      directory: 'missing planning output',
    };
    for (const [kind, message] of Object.entries(expected)) {
      rmSync(output, { recursive: true, force: true });
      if (kind === 'fifo') execFileSync('mkfifo', [output]);
      else if (kind === 'symlink') symlinkSync(readdirSync(stages).sort()[1] as string, output);
      else mkdirSync(output);
      const { fresh, fromCheck, read } = await bothWays(repo, slug);
      expect(read?.lstats, kind).toBeDefined();
      expect(fromCheck, kind).toEqual(fresh);
      if (message === null) expect(fresh, kind).toMatchObject({ described: { stateError: null } });
      else expect(fresh, kind).toMatchObject({ described: { state: null, stateError: expect.stringContaining(message) } });
    }
  });
});
