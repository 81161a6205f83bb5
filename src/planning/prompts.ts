import { createHash } from 'node:crypto';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { CairnError, messageOf, compareCodePoints, isInside, resolvePath, toPosix, errnoCode } from '../util/index.js';
import { JsonFileTooLargeError, pyRepr, readTextFile } from '../json/index.js';
import { assertConfined, DEFAULT_MAX_READ_BYTES, isRefusedFile } from '../fs/index.js';
import { isTerminalCursor, EFFORTS, latestStdoutRef, readLatestStdout, migrationFiles, type Cursor, type Step, type Effort, type OutputRefContext, type PlanningState } from '../migration/index.js';
import { STAGE_INSTRUCTIONS, type PromptStage } from './prompt-text.js';

export { PROMPT_STAGES, STAGE_INSTRUCTIONS } from './prompt-text.js';
export type { PromptStage } from './prompt-text.js';

/*
 * Stage prompts (docs/format.md §9.2). A prompt is rebuilt from durable files only:
 * the state, the accepted stdout it references, and plan.md / approaches/
 * in the workspace copy. Nothing a failed run left behind (logs, stray
 * files) can reach it.
 */

/** Where the project's planning guidelines live, relative to the repository root. */
export const TASTE_RELATIVE_PATH = '.planning/taste.md';

/** The effort limits of a run, shown to the agent so it can set `required_effort`. */
export interface EffortBudget {
  /** The highest effort this run may use. */
  maxEffort: Effort;
  /** The effort a phase gets when it asks for none. */
  defaultEffort: Effort;
}

export interface StagePromptInput {
  slug: string;
  /** The step to run: the state's `next_step`. */
  step: Cursor;
  /** The workspace copy's state. */
  state: PlanningState;
  /** The workspace copy of the migration dir. */
  workspaceDir: string;
  /** The live migration dir (read-only for the agent). */
  liveDir: string;
  repoRoot: string;
  /** The project's guidelines (`loadTaste`); omitted when null or blank. */
  taste?: string | null;
  /** Extra context placed before the step context, e.g. refine feedback. */
  extraContext?: string | null;
  effortBudget?: EffortBudget | null;
}

export interface StagePrompt {
  prompt: string;
  /** SHA-256 of the prompt's UTF-8 bytes, hex. */
  promptSha256: string;
  /** The stage whose instructions were used. */
  stage: PromptStage;
  step: Step;
}

const STEP_STAGES: Readonly<Record<Step, PromptStage>> = {
  approaches: 'approaches',
  'pick-best': 'pick-best',
  expand: 'expand',
  review: 'review',
  revise: 'expand',
  'review-2': 'review',
  'final-review': 'final-review',
};

/** The prompt stage of a step: `revise` uses `expand`, `review-2` uses `review`, every other step its own. */
export function stageForStep(step: Step): PromptStage {
  return STEP_STAGES[step];
}

/**
 * Reads `<repoRoot>/.planning/taste.md`, the project's planning guidelines:
 * its text without trailing whitespace, or null when the file is missing or
 * blank. The text goes into every stage prompt and so to the agent's model
 * provider: a committed symlink out of the repository (to `~/.ssh/config`,
 * say), a FIFO or a device is refused with `CairnError('unsafe-path')`
 * (exit 2) before anything is read, and the read is capped
 * (docs/security.md §2). Any other read failure is `CairnError('io')`.
 */
export async function loadTaste(repoRoot: string): Promise<string | null> {
  const file = path.join(repoRoot, TASTE_RELATIVE_PATH);
  assertConfined(repoRoot, file, 'the taste file', 'file');
  let text: string;
  try {
    text = await readTextFile(file, { maxBytes: DEFAULT_MAX_READ_BYTES });
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
    if (isRefusedFile(cause) || error instanceof JsonFileTooLargeError) {
      throw new CairnError('unsafe-path', `Refusing to read the taste file ${file}: ${messageOf(cause)}`, {
        path: file,
        cause: error,
        hint: `cairn reads only regular files of at most ${DEFAULT_MAX_READ_BYTES} bytes inside the repository. Replace ${file} with a regular file (it may have come from a commit), then run the command again.`,
      });
    }
    throw new CairnError('io', `Could not read taste file ${file}: ${messageOf(error)}`, { path: file, cause: error });
  }
  const trimmed = text.trimEnd();
  return trimmed.trim() === '' ? null : trimmed;
}

/**
 * Builds the prompt for the state's next step: sections joined by a blank
 * line, in this order: the stage instructions, `## Effort Budget` (when
 * given), `## Migration`, `## Context`, `## Taste` (when given), with a final
 * newline. Throws `CairnError('invalid-state')` for a terminal cursor
 * ("Planning state is terminal; no prompt context for '<cursor>'"), a step
 * that is not the state's `next_step`, a revise after refine without
 * feedback, or an accepted output that cannot be read; and
 * `CairnError('invalid-input')` for an unreadable or symlinked plan.md or
 * approach file.
 */
export async function buildStagePrompt(input: StagePromptInput): Promise<StagePrompt> {
  const step = checkStep(input);
  const stage = stageForStep(step);
  const sections = [STAGE_INSTRUCTIONS[stage]];
  if (input.effortBudget !== undefined && input.effortBudget !== null) sections.push(effortBudgetSection(input.effortBudget));
  sections.push(`## Migration\n${input.slug}`);
  const context = await buildPromptContext(input);
  if (context !== '') sections.push(`## Context\n${context}`);
  const taste = input.taste ?? null;
  if (taste !== null && taste.trim() !== '') sections.push(`## Taste\n${taste.trimEnd()}`);
  const prompt = `${sections.join('\n\n')}\n`;
  return { prompt, promptSha256: createHash('sha256').update(prompt, 'utf8').digest('hex'), stage, step };
}

function checkStep(input: StagePromptInput): Step {
  const step = input.step;
  if (isTerminalCursor(step)) {
    throw new CairnError('invalid-state', `Planning state is terminal; no prompt context for ${pyRepr(step)}`);
  }
  if (input.state.next_step !== step) {
    throw new CairnError(
      'invalid-state',
      `Prompt step ${pyRepr(step)} does not match the planning state's next step ${pyRepr(input.state.next_step)}`,
    );
  }
  return step;
}

function effortBudgetSection(budget: EffortBudget): string {
  return [
    '## Effort Budget',
    `Valid required_effort labels: ${EFFORTS.join(', ')}.`,
    `Maximum effort allowed in this run: ${budget.maxEffort}.`,
    `Default effort: ${budget.defaultEffort}.`,
    'Use the lowest safe required_effort for each phase; a phase that needs more than the maximum is deferred, not run.',
  ].join('\n');
}

/** `target` as the prompt shows it: repo-relative (POSIX) when under the repository, else absolute. */
function displayPath(target: string, repoRoot: string): string {
  const root = resolvePath(repoRoot);
  const resolved = resolvePath(target);
  if (resolved !== root && isInside(resolved, root)) return toPosix(path.relative(root, resolved));
  return resolved;
}

/**
 * The `## Context` body for the state's next step: the target, the
 * workspace and its rules, the extra context, then the step's own inputs
 * (see `buildStepContext`), joined by blank lines.
 */
export async function buildPromptContext(input: StagePromptInput): Promise<string> {
  const step = checkStep(input);
  const workspace = displayPath(input.workspaceDir, input.repoRoot);
  const live = displayPath(input.liveDir, input.repoRoot);
  const blocks = [
    `Target: ${input.state.target}`,
    [
      `Migration directory: ${workspace}`,
      "Read and write this migration's planning files there: approaches/, plan.md and the phase-<n>-<name>.md documents.",
    ].join('\n'),
    [
      "That directory is cairn's workspace copy of the migration and the only place you may write.",
      `Live migration directory (read-only): ${live}`,
      'cairn publishes the workspace to the live directory once it accepts your output; do not modify the live directory or any other file in the repository.',
      'Resume input is the last published .planning/state.json plus the accepted stdout under .planning/stages/; output of failed or rejected runs is never resume input.',
    ].join('\n'),
  ];
  const extra = input.extraContext ?? null;
  if (extra !== null && extra.trim() !== '') blocks.push(extra.trimEnd());
  const stepContext = await buildStepContext(step, input);
  if (stepContext !== null) blocks.push(stepContext);
  return blocks.join('\n\n');
}

type StepContextInput = Pick<StagePromptInput, 'state' | 'workspaceDir' | 'liveDir' | 'repoRoot'>;

/**
 * The step's own inputs (docs/format.md §9.2 table), read from the workspace:
 * approaches ⇒ none; pick-best ⇒ every `approaches/*.md` by name; expand ⇒
 * the latest pick-best stdout; review and final-review ⇒ plan.md; revise ⇒
 * the latest review stdout, or after a refine (revision anchors) the latest
 * user feedback; review-2 ⇒ the revised plan.md.
 */
export async function buildStepContext(step: Step, input: StepContextInput): Promise<string | null> {
  switch (step) {
    case 'approaches':
      return null;
    case 'pick-best':
      return approachesContext(input.workspaceDir);
    case 'expand': {
      const ref = latestStdoutRef(input.state, 'pick-best');
      const text = await readLatestStdout(input.state, 'pick-best', refContext(input));
      return `Chosen approach (from ${ref}):\n${trimNewlines(text)}`;
    }
    case 'review':
    case 'final-review':
      return `Plan:\n${await planText(input.workspaceDir)}`;
    case 'review-2':
      return `Plan (revised):\n${await planText(input.workspaceDir)}`;
    case 'revise':
      return reviseContext(input);
  }
}

async function reviseContext(input: StepContextInput): Promise<string> {
  if (input.state.revision_base_step_counts.length > 0) {
    const latest = input.state.feedback[input.state.feedback.length - 1];
    if (latest === undefined) throw new CairnError('invalid-state', 'Planning refinement requires user feedback');
    return `User refinement feedback to address:\n${trimNewlines(latest.text)}`;
  }
  const ref = latestStdoutRef(input.state, 'review');
  const text = await readLatestStdout(input.state, 'review', refContext(input));
  return `Review findings to address (from ${ref}):\n${trimNewlines(text)}`;
}

function refContext(input: StepContextInput): OutputRefContext {
  return {
    repoRoot: input.repoRoot,
    stateFile: migrationFiles(input.workspaceDir).state,
    publishedRoot: input.liveDir,
  };
}

function trimNewlines(text: string): string {
  return text.replace(/\n+$/, '');
}

/** A regular file's text, or null when it does not exist; a symlink or other kind is refused. */
async function readWorkspaceFile(file: string, label: string): Promise<string | null> {
  try {
    const stats = await lstat(file);
    if (stats.isSymbolicLink()) {
      throw new CairnError('invalid-input', `${label} in the workspace must be a regular file, not a symlink`, { path: file });
    }
    if (!stats.isFile()) throw new CairnError('invalid-input', `${label} in the workspace is not a regular file`, { path: file });
    return await readTextFile(file);
  } catch (error) {
    if (error instanceof CairnError) throw error;
    if (errnoCode(error) === 'ENOENT') return null;
    throw new CairnError('invalid-input', `Could not read ${file}: ${messageOf(error)}`, { path: file, cause: error });
  }
}

async function planText(workspaceDir: string): Promise<string> {
  const text = await readWorkspaceFile(path.join(workspaceDir, 'plan.md'), 'plan.md');
  return text === null ? '(plan.md does not exist in the workspace)' : trimNewlines(text);
}

async function approachesContext(workspaceDir: string): Promise<string> {
  const dir = path.join(workspaceDir, 'approaches');
  let names: string[];
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    names = entries
      .filter((entry) => entry.name.endsWith('.md') && !entry.isDirectory())
      .map((entry) => entry.name)
      .sort(compareCodePoints);
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      throw new CairnError('invalid-input', `Could not list ${dir}: ${messageOf(error)}`, { path: dir, cause: error });
    }
    names = [];
  }
  if (names.length === 0) return 'Approaches:\n(none: the workspace has no approaches/*.md files)';
  const entries: string[] = [];
  for (const name of names) {
    const text = await readWorkspaceFile(path.join(dir, name), `approaches/${name}`);
    entries.push(`### ${name.slice(0, -'.md'.length)}\n${trimNewlines(text ?? '')}`);
  }
  return `Approaches:\n${entries.join('\n\n')}`;
}
