import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { appendFeedback, completeStep, newState } from '../../src/migration/graph.js';
import { loadManifest, saveManifest, seedManifest } from '../../src/migration/manifest.js';
import { nextStageOutputPath, stdoutRefFor } from '../../src/migration/stage-outputs.js';
import { loadState, saveState } from '../../src/migration/state.js';
import { cairnRepo, copyRepoDir } from './repo.js';

/** A cairn repository as the publish tests see it. */
export interface PublishRepo {
  repoRoot: string;
  liveRoot: string;
  /** Outside the live root: where drivers build their workspaces. */
  workRoot: string;
}

/** A repository set up by `cairn init`, with no migrations; a git repo (with everything committed) when `git` is set. */
export function publishRepo(options: { git?: boolean; at?: string } = {}): PublishRepo {
  const git = options.git === true;
  const { repo } = cairnRepo({
    prefix: 'cairn-publish-',
    git,
    ...(options.at !== undefined ? { at: options.at } : {}),
    ...(git ? { commit: 'init' } : {}),
  });
  return publishRepoAt(repo);
}

/** The publish view of the repository at `repoRoot`. */
export function publishRepoAt(repoRoot: string): PublishRepo {
  return { repoRoot, liveRoot: path.join(repoRoot, 'migrations'), workRoot: path.join(repoRoot, '.planning', 'work') };
}

/** A copy of `template` at a fresh path, removed after the test. */
export function copyPublishRepo(template: PublishRepo): PublishRepo {
  return publishRepoAt(copyRepoDir(template.repoRoot));
}

const NOW = '2026-05-14T00:27:12.066-07:00';

/** A fresh workspace `<workRoot>/<name>/<slug>`: a copy of the live migration, or empty. */
export function workspaceFor(repo: PublishRepo, slug: string, name = 'ws', copyLive = true): string {
  const workspace = path.join(repo.workRoot, name, slug);
  rmSync(workspace, { recursive: true, force: true });
  mkdirSync(path.dirname(workspace), { recursive: true });
  if (copyLive) cpSync(path.join(repo.liveRoot, slug), workspace, { recursive: true });
  else mkdirSync(workspace);
  return workspace;
}

/** Writes a seeded migration (manifest + new state) into an empty workspace. */
export async function seedWorkspace(repo: PublishRepo, workspace: string, slug: string, target = 'rename the widgets'): Promise<void> {
  mkdirSync(path.join(workspace, '.planning'), { recursive: true });
  await saveManifest(path.join(workspace, 'manifest.json'), seedManifest(slug, NOW));
  const stateFile = path.join(workspace, '.planning', 'state.json');
  await saveState(stateFile, newState(target, NOW), { repoRoot: repo.repoRoot, stateFile, publishedRoot: path.join(repo.liveRoot, slug) });
}

const OUTCOMES: Record<string, 'completed' | 'findings' | 'clear'> = {
  approaches: 'completed',
  'pick-best': 'completed',
  expand: 'completed',
  review: 'findings',
  revise: 'completed',
  'review-2': 'clear',
};

/** Accepts the workspace's next step with `text` as its stdout (or appends feedback past review-2). */
export async function acceptNext(repo: PublishRepo, workspace: string, slug: string, text: string): Promise<void> {
  const liveDir = path.join(repo.liveRoot, slug);
  const stateFile = path.join(workspace, '.planning', 'state.json');
  let state = await loadState(stateFile, { repoRoot: repo.repoRoot, stateFile, publishedRoot: liveDir });
  const outcome = OUTCOMES[state.next_step];
  if (outcome === undefined) {
    state = appendFeedback(state, text, 'message', NOW);
  } else {
    const step = state.next_step as keyof typeof OUTCOMES & Parameters<typeof nextStageOutputPath>[1];
    const file = await nextStageOutputPath(workspace, step);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    state = completeStep(state, {
      step,
      outcome,
      stdoutRef: stdoutRefFor(repo.repoRoot, liveDir, path.relative(workspace, file)),
      completedAt: NOW,
    });
  }
  await saveState(stateFile, state, { repoRoot: repo.repoRoot, stateFile, publishedRoot: liveDir });
  const manifestFile = path.join(workspace, 'manifest.json');
  await saveManifest(manifestFile, { ...(await loadManifest(manifestFile)), last_touch: NOW });
}
