import path from 'node:path';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import { CairnError, toPosix, shellWord } from '../util/index.js';
import { pyRepr } from '../json/index.js';
import { copyTreeDurable, fingerprintTree } from '../fs/index.js';
import { acceptStepOutput } from './accept-step.js';
import { nullPlanningLog } from './engine-log.js';
import { baseResult, liveDirOf, publishAccepted, publishAndEndRun, stepFailureMessage, type EngineContext, type OpenedRun, type StepRunResult } from './engine.js';
import type { Step } from '../migration/index.js';
import { claimRun } from './run-owner.js';
import { findManualRun, type FoundRun, type IgnoredRun } from './workspace.js';
import { checkWorkspaceChanges, shownPath, undeclaredChangesError } from './workspace-integrity.js';

/*
 * `cairn accept`: the second half of a manual run. `cairn plan --agent
 * manual` prepared a workspace and recorded its base snapshot; the person
 * (or a driving agent) wrote the step's files there and now hands over the
 * step's output. It is validated exactly as an agent's stdout would be and
 * the workspace is published against the base snapshot taken by `plan`, so
 * a live change in between makes the publish stale.
 *
 * Only a run this user prepared on this machine is used (its run record is
 * sealed, and git tracks none of its files), and the workspace may differ
 * from what `plan` prepared only in the step's declared outputs.
 *
 * Acceptance happens in a copy (`<run>/candidate/<slug>`; a dry run's in a
 * temporary directory outside the repository): if the publish
 * is refused, the prepared workspace is still as the person left it, ready
 * to be fixed and accepted again.
 */

export interface AcceptManualInput {
  step: Step;
  /** The step's output, as the agent would have printed it. */
  stdout: string;
  /** Validate and check the publish without changing anything (the prepared run stays as it is). */
  dryRun?: boolean;
}

/**
 * Accepts and publishes the output of the newest manual run of the
 * migration. Throws `CairnError('not-found')` when no run is prepared and
 * `CairnError('usage')` when the prepared run is for another step.
 * Rejected output and refused publishes are results.
 */
export async function acceptManualOutput(ctx: EngineContext, input: AcceptManualInput): Promise<StepRunResult> {
  const { run: found, ignored } = await findManualRun(ctx.repoRoot, ctx.slug);
  if (found === null) {
    const also = ignored.length === 0 ? '' : ` ${ignoredRunsText(ctx.repoRoot, ignored)}`;
    throw new CairnError('not-found', `No prepared manual run for ${pyRepr(ctx.slug)}.${also}`, {
      hint: `Run \`cairn plan ${shellWord(ctx.slug)} --agent manual\` first: it prepares the workspace and prints the prompt for the next step.`,
    });
  }
  const record = found.record;
  if (record.step !== input.step) {
    throw new CairnError('usage', `The prepared run of ${pyRepr(ctx.slug)} is for step ${pyRepr(record.step)}, not ${pyRepr(input.step)}.`, {
      hint: `Run \`cairn accept ${shellWord(ctx.slug)} --step ${record.step} --file <output>\`, or \`cairn plan ${shellWord(ctx.slug)} --agent manual\` to prepare the current step again.`,
    });
  }
  const dryRun = input.dryRun === true;
  const warnings = ignored.length === 0 ? [] : [ignoredRunsText(ctx.repoRoot, ignored)];
  const undeclared = checkWorkspaceChanges(record.prepared_tree, await fingerprintTree(found.workspaceDir), input.step);
  if (undeclared.length > 0) {
    const result = baseResult({ ...found, slug: ctx.slug }, input.step, record.operation);
    const reason = undeclaredChangesError(input.step, undeclared, 'the prepared workspace').message;
    return { ...result, status: 'rejected', reason, warnings };
  }
  if (!dryRun) {
    await claimRun(found.runDir);
    return acceptCandidate(ctx, input, found, warnings, path.join(found.runDir, 'candidate'));
  }
  // A dry run validates its copy outside the repository, so it changes nothing under `.planning/work/`.
  const tempRoot = await realpath(await mkdtemp(path.join(os.tmpdir(), 'cairn-dry-run-')));
  try {
    return await acceptCandidate(ctx, input, found, warnings, path.join(tempRoot, 'candidate'));
  } finally {
    await rm(tempRoot, { recursive: true, force: true });
  }
}

/** Accepts the output into a copy of the prepared workspace at `<candidateRoot>/<slug>` and publishes it (or, in a dry run, checks the publish). */
async function acceptCandidate(ctx: EngineContext, input: AcceptManualInput, found: FoundRun, warnings: string[], candidateRoot: string): Promise<StepRunResult> {
  const dryRun = input.dryRun === true;
  const record = found.record;
  const candidate = path.join(candidateRoot, ctx.slug);
  await rm(candidateRoot, { recursive: true, force: true });
  await copyTreeDurable(found.workspaceDir, candidate);

  const run: OpenedRun = {
    runId: found.runId,
    // A dry run's publish removes its run directory afterwards: let that be the candidate only.
    runDir: dryRun ? candidateRoot : found.runDir,
    workspaceDir: candidate,
    slug: ctx.slug,
    liveDir: liveDirOf(ctx),
    baseSnapshotId: record.base_snapshot_id,
    baseProblem: null,
  };
  // The result names the prepared run, not the candidate copy validated here.
  const result = baseResult({ ...run, runDir: found.runDir, workspaceDir: found.workspaceDir }, input.step, record.operation);
  result.warnings.push(...warnings);
  const log = dryRun ? nullPlanningLog() : (ctx.log ?? nullPlanningLog());
  const logRunId = log.runStarted({
    slug: ctx.slug,
    step: input.step,
    agent: 'manual',
    model: record.model,
    effort: record.effort,
    promptSha256: record.prompt_sha256,
  });
  result.logRunId = logRunId;

  let accepted;
  try {
    accepted = await acceptStepOutput({
      repoRoot: ctx.repoRoot,
      slug: ctx.slug,
      liveDir: run.liveDir,
      workspaceDir: candidate,
      step: input.step,
      stdout: input.stdout,
      agent: record.agent,
      model: record.model,
      effort: record.effort,
      reviewPolicy: ctx.reviewPolicy,
    });
  } catch (error) {
    const reason = stepFailureMessage(input.step, error);
    log.runEnded(logRunId, { verdict: 'rejected', exitCode: 0, stdout: input.stdout, reason });
    await rm(candidateRoot, { recursive: true, force: true });
    return { ...result, status: 'rejected', reason };
  }
  const published = await publishAndEndRun(
    (verdict, reason) => log.runEnded(logRunId, { verdict, exitCode: 0, stdout: input.stdout, reason }),
    () => publishAccepted(ctx, run, result, accepted, { dryRun }),
  );
  if (published.status !== 'published' || dryRun) await rm(candidateRoot, { recursive: true, force: true });
  return { ...published, workspaceDir: found.workspaceDir, runDir: dryRun ? found.runDir : published.runDir };
}

/** `Ignored run <id> (<why>), …: cairn accepts only runs it prepared for this user on this machine.` */
function ignoredRunsText(repoRoot: string, ignored: readonly IgnoredRun[]): string {
  const runs = ignored.map((run) => `${shownPath(toPosix(path.relative(repoRoot, run.runDir)))} (${run.why})`).join(', ');
  return `Ignored ${ignored.length === 1 ? 'run' : 'runs'} ${runs}: cairn accepts only a run it prepared for this user on this machine.`;
}
