import { cpSync } from 'node:fs';
import path from 'node:path';
import { copyFixtureMigrations } from '../support/fixture.js';
import { tempDir } from '../support/tmp.js';

export interface FixtureWorkspace {
  repo: string;
  /** `<repo>/migrations/<slug>`: the fixture migration, live. */
  liveDir: string;
  /** `<repo>/.planning/work/<slug>/run-1/<slug>`: a copy of it, as `cairn plan` prepares one. */
  workspaceDir: string;
}

/** A repository holding one cr-v1 fixture migration live (writable), and a workspace copy of it. */
export function fixtureWorkspace(slug: string, repo = tempDir('cairn-workspace-')): FixtureWorkspace {
  const liveDir = path.join(repo, 'migrations', slug);
  copyFixtureMigrations(path.dirname(liveDir), [slug], { writable: true });
  const workspaceDir = path.join(repo, '.planning', 'work', slug, 'run-1', slug);
  cpSync(liveDir, workspaceDir, { recursive: true });
  return { repo, liveDir, workspaceDir };
}
