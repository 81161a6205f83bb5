// A child process that publishes one change to a migration through the
// built library, the way `cairn plan` will: capture the base snapshot, copy
// live into a workspace, change it, publish. Used by the crash, fault and
// concurrency tests. Input: one JSON argument. Output: one JSON line.
// Exit: 0 published, 1 blocked or failed, 3 lock timeout, 2 other error.
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist');
const publishApi = await import(path.join(dist, 'publish', 'index.js'));
const consistencyApi = await import(path.join(dist, 'consistency', 'index.js'));
const fsApi = await import(path.join(dist, 'fs', 'index.js'));
const graph = await import(path.join(dist, 'migration', 'graph.js'));
const stateCodec = await import(path.join(dist, 'migration', 'state.js'));
const manifestCodec = await import(path.join(dist, 'migration', 'manifest.js'));
const stages = await import(path.join(dist, 'migration', 'stage-outputs.js'));

const args = JSON.parse(process.argv[2]);
const { repoRoot, liveRoot, slug, workspaceRoot } = args;
const now = args.now ?? '2026-05-14T00:27:12.066-07:00';
const tag = args.tag ?? 'change';
const liveDir = path.join(liveRoot, slug);
const workspace = path.join(workspaceRoot, slug);

const STEP_OUTCOMES = {
  approaches: 'completed',
  'pick-best': 'completed',
  expand: 'completed',
  review: 'findings',
  revise: 'completed',
  'review-2': 'clear',
};

function print(value) {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

async function waitForGo() {
  print({ ready: true });
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === 'go') break;
  }
  lines.close();
}

async function prepareWorkspace() {
  await rm(workspace, { recursive: true, force: true });
  await mkdir(workspaceRoot, { recursive: true });
  const base = await fsApi.snapshotId(liveDir);
  let change;
  if (args.change === 'new') {
    await mkdir(path.join(workspace, '.planning'), { recursive: true });
    await manifestCodec.saveManifest(path.join(workspace, 'manifest.json'), manifestCodec.seedManifest(slug, now));
    const stateFile = path.join(workspace, '.planning', 'state.json');
    await stateCodec.saveState(stateFile, graph.newState(args.target ?? `target of ${slug}`, now), {
      repoRoot,
      stateFile,
      publishedRoot: liveDir,
    });
    change = { kind: 'new' };
  } else {
    await cp(liveDir, workspace, { recursive: true });
    const stateFile = path.join(workspace, '.planning', 'state.json');
    let state = await stateCodec.loadState(stateFile, { repoRoot, stateFile, publishedRoot: liveDir });
    const outcome = STEP_OUTCOMES[state.next_step];
    if (outcome !== undefined && args.feedbackOnly !== true) {
      const step = state.next_step;
      const file = await stages.nextStageOutputPath(workspace, step);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, `${step} output by ${tag}\n`);
      if (step === 'approaches') {
        await mkdir(path.join(workspace, 'approaches'), { recursive: true });
        await writeFile(path.join(workspace, 'approaches', `${tag}.md`), `# Approach ${tag}\n`);
      }
      const ref = stages.stdoutRefFor(repoRoot, liveDir, path.relative(workspace, file));
      state = graph.completeStep(state, { step, outcome, stdoutRef: ref, completedAt: now, agent: 'manual' });
      change = { kind: 'step', step, ref };
    } else {
      state = graph.appendFeedback(state, `feedback by ${tag}`, 'message', now);
      change = { kind: 'feedback', text: `feedback by ${tag}` };
    }
    await stateCodec.saveState(stateFile, state, { repoRoot, stateFile, publishedRoot: liveDir });
    const manifestFile = path.join(workspace, 'manifest.json');
    const manifest = await manifestCodec.loadManifest(manifestFile);
    await manifestCodec.saveManifest(manifestFile, { ...manifest, last_touch: now });
  }
  for (let i = 0; i < (args.extraFiles ?? 0); i += 1) {
    await mkdir(path.join(workspace, 'notes'), { recursive: true });
    await writeFile(path.join(workspace, 'notes', `${tag}-${i}.md`), `note ${i} by ${tag}\n`.repeat(1 + (i % 7)));
  }
  return { base: args.baseSnapshotId ?? base, change };
}

// Reading live without the lock races with other publishers' renames; a
// reader retries (a mixed copy would only ever be blocked as stale).
let prepared;
for (let attempt = 1; ; attempt += 1) {
  try {
    prepared = await prepareWorkspace();
    break;
  } catch (error) {
    if (attempt >= 20) throw error;
  }
}
const { base, change } = prepared;
const candidate = await fsApi.snapshotId(workspace);
if (args.waitForGo === true) await waitForGo();
const started = Date.now();
try {
  const result = await publishApi.publish({
    repoRoot,
    liveRoot,
    slug,
    workspaceDir: workspace,
    baseSnapshotId: base,
    validator: consistencyApi.publishValidator('planning-snapshot'),
    operation: args.operation ?? 'test.publish',
    lockTimeoutMs: args.lockTimeoutMs ?? 30000,
    dryRun: args.dryRun === true,
    ...(args.staleLimitMs === undefined ? {} : { staleLimitMs: args.staleLimitMs }),
  });
  print({
    status: result.status,
    reason: result.reason,
    snapshotId: result.snapshotId,
    candidate,
    base,
    change,
    cleanupError: result.cleanupError,
    transactionDir: result.transactionDir,
    ms: Date.now() - started,
  });
  process.exitCode = result.status === 'published' ? 0 : 1;
} catch (error) {
  print({ error: { code: error.code ?? null, message: error.message }, candidate, base, change });
  process.exitCode = error.code === 'lock-timeout' ? 3 : 2;
}
