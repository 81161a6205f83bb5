import path from 'node:path';
import { CairnError, compareCodePoints, messageOf, stripText, toPosix } from '../util/index.js';
import { entryKind, lenientText, listDir, readBytes } from '../fs/index.js';
import { checkPlanContract } from '../consistency/index.js';
import type { Finding, Manifest, Step } from '../migration/index.js';
import { shownPath } from './workspace-integrity.js';

/*
 * Each step's contract (docs/format.md §9.3), checked when its output is
 * accepted so that a broken step is refused where it happened instead of
 * travelling to the ready publish at the end of the graph:
 *
 *   approaches       2 to 4 non-empty approaches/*.md files
 *   pick-best        the output names one of those approaches
 *   expand, revise   a non-empty plan.md and phase docs that pass the
 *                    ready rules of the consistency checks
 *
 * The files a step may write at all are workspace-integrity.ts's concern.
 */

/** How many approach files the `approaches` step must leave. */
export const APPROACH_COUNT = { min: 2, max: 4 } as const;

/** What the step's contract is checked against: the workspace after the step, and its output. */
export interface StepContractInput {
  step: Step;
  repoRoot: string;
  slug: string;
  workspaceDir: string;
  stdout: string;
  /** The workspace manifest with the phases the step is about to record (expand, revise). */
  manifest: Manifest;
}

function contractFailed(step: Step, reason: string): CairnError {
  return new CairnError('failed', `planning.${step} failed: ${reason}`);
}

/**
 * Throws `CairnError('failed')` "planning.<step> failed: <what is missing>;
 * <what the step must leave>" when the workspace or output breaks the
 * step's contract; returns for steps with none (reviews are judged by
 * their outcome).
 */
export function checkStepContract(input: StepContractInput): void {
  switch (input.step) {
    case 'approaches':
      return checkApproaches(input);
    case 'pick-best':
      return checkPickBest(input);
    case 'expand':
    case 'revise':
      return checkPlan(input);
    default:
      return;
  }
}

interface ApproachFile {
  /** `approaches/<name>.md` */
  rel: string;
  /** `<name>` */
  name: string;
  /** Why the file cannot count as an approach, or null. */
  problem: string | null;
}

/** The `approaches/*.md` entries of a workspace, sorted, each with what is wrong with it. */
function approachFiles(workspaceDir: string): ApproachFile[] {
  const dir = path.join(workspaceDir, 'approaches');
  const listed = listDir(dir);
  if ('error' in listed) return [];
  const files: ApproachFile[] = [];
  for (const entry of listed.entries) {
    if (!entry.name.endsWith('.md') || entry.name === '.md') continue;
    const rel = `approaches/${entry.name}`;
    const name = entry.name.slice(0, -'.md'.length);
    const file = path.join(dir, entry.name);
    const kind = entryKind(file);
    if (kind !== 'file') {
      files.push({ rel, name, problem: `${shownPath(rel)} is not a regular file` });
      continue;
    }
    const read = readBytes(file);
    if ('error' in read) files.push({ rel, name, problem: `${shownPath(rel)} could not be read: ${messageOf(read.error)}` });
    else if (stripText(lenientText(read.bytes)) === '') files.push({ rel, name, problem: `${shownPath(rel)} is empty` });
    else files.push({ rel, name, problem: null });
  }
  return files.sort((a, b) => compareCodePoints(a.rel, b.rel));
}

function countedFiles(count: number, noun: string, rels: readonly string[]): string {
  if (count === 0) return `no ${noun}s`;
  return `${count} ${noun}${count === 1 ? '' : 's'} (${rels.map(shownPath).join(', ')})`;
}

const APPROACHES_NEEDED = `the step needs ${APPROACH_COUNT.min} to ${APPROACH_COUNT.max} approaches/*.md files, none of them empty`;

/**
 * "planning.approaches failed: the workspace has 1 approach file
 * (approaches/a.md); the step needs 2 to 4 approaches/*.md files, none of
 * them empty", naming unusable files ("approaches/b.md is empty") first.
 */
function checkApproaches(input: StepContractInput): void {
  const files = approachFiles(input.workspaceDir);
  const good = files.filter((file) => file.problem === null).map((file) => file.rel);
  const problems = files.flatMap((file) => (file.problem === null ? [] : [file.problem]));
  if (problems.length === 0 && good.length >= APPROACH_COUNT.min && good.length <= APPROACH_COUNT.max) return;
  const has = `the workspace has ${countedFiles(good.length, 'approach file', good)}`;
  throw contractFailed(input.step, [...problems, has, APPROACHES_NEEDED].join('; '));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether `text` names `name` as a whole word: not inside a longer name of letters, digits, `-` or `_`. */
function namesApproach(text: string, name: string): boolean {
  return new RegExp(`(?<![\\p{L}\\p{N}_-])${escapeRegExp(name)}(?![\\p{L}\\p{N}_-])`, 'iu').test(text);
}

/**
 * "planning.pick-best failed: the output names none of the approaches
 * (big-bang, incremental); it must name the chosen one as its file is
 * named, e.g. incremental or approaches/incremental.md".
 */
function checkPickBest(input: StepContractInput): void {
  const names = approachFiles(input.workspaceDir)
    .filter((file) => file.problem === null)
    .map((file) => file.name);
  if (names.length === 0) {
    throw contractFailed(input.step, 'the workspace has no approaches/*.md files to pick from; the approaches step must write them first');
  }
  if (names.some((name) => namesApproach(input.stdout, name))) return;
  const example = names[0] as string;
  const what = stripText(input.stdout) === '' ? 'the output is empty' : 'the output names none of the approaches';
  throw contractFailed(
    input.step,
    `${what} (${names.join(', ')}); it must name the chosen one as its file is named, e.g. ${example} or approaches/${example}.md`,
  );
}

const PLAN_NEEDED =
  'the step must leave a non-empty plan.md and phase-<n>-<name>.md docs, each with a ## Precondition and a ## Definition of Done heading';

/** One ready-rule finding in the words of a step refusal, its path relative to the workspace. */
function findingProblem(finding: Finding, workspaceDir: string): string {
  const rel = shownPath(toPosix(path.relative(workspaceDir, finding.path)));
  switch (finding.code) {
    case 'missing-plan':
      return entryKind(finding.path) === 'missing' ? 'plan.md is missing' : 'plan.md is not a regular file';
    case 'missing-manifest-phases':
      return 'there are no phase-<n>-<name>.md docs';
    case 'missing-phase-precondition':
      return `${rel} has no ## Precondition heading`;
    case 'missing-phase-definition-of-done':
      return `${rel} has no ## Definition of Done heading`;
    default:
      return `${rel}: ${finding.message.replace(/\.$/, '')}`;
  }
}

/**
 * "planning.expand failed: plan.md is missing; phase-1-a.md has no
 * ## Definition of Done heading; the step must leave …": the ready rules
 * (consistency's `checkPlanContract`) on the workspace and the phases the
 * step discovered, plus a non-empty plan.md.
 */
function checkPlan(input: StepContractInput): void {
  const problems: string[] = [];
  const plan = path.join(input.workspaceDir, 'plan.md');
  const findings = checkPlanContract(input.workspaceDir, input.manifest, { slug: input.slug, repoRoot: input.repoRoot });
  for (const finding of findings) {
    if (finding.severity === 'error') problems.push(findingProblem(finding, input.workspaceDir));
  }
  if (entryKind(plan) === 'file') {
    const read = readBytes(plan);
    if ('error' in read) problems.unshift(`plan.md could not be read: ${messageOf(read.error)}`);
    else if (stripText(lenientText(read.bytes)) === '') problems.unshift('plan.md is empty');
  }
  if (problems.length > 0) throw contractFailed(input.step, [...problems, PLAN_NEEDED].join('; '));
}
