import type { Phase } from '../migration/index.js';
import { RETRY_RECOMMENDATIONS, STATUS_BLOCK_BEGIN, STATUS_BLOCK_END, STATUS_DECISIONS, STATUS_BLOCK_KEYS, type StatusBlockKey } from './status-block.js';

/*
 * The prompts of the two agent runs of a phase: the ready-check (does the
 * precondition hold now?) and the execution (do the phase). Both are built
 * only from their input, with no clock or environment in them, so the same
 * input always gives the same prompt. Sections are joined by a blank line
 * and the prompt ends with a newline.
 */

/** What both phase prompts are built from. */
export interface PhasePromptInput {
  slug: string;
  phase: Phase;
  /** The phase doc's path relative to the repository root (POSIX). */
  phaseFile: string;
  /** The phase doc's text. */
  phaseDoc: string;
  /** plan.md's text, or null when there is none. */
  plan: string | null;
  /** The project's guidelines; omitted when null or blank. */
  taste: string | null;
  /** Absolute path of the worktree the agent works in (its working directory). */
  worktree: string;
  /** The migration directory relative to the repository root (POSIX). */
  migrationDir: string;
}

/** The execution prompt's extra input. */
export interface ExecutePromptInput extends PhasePromptInput {
  /** The shell command cairn runs after the agent to validate the work; null when none is configured. */
  validateCommand: string | null;
  /** This attempt's number, counting from 1. */
  attempt: number;
  maxAttempts: number;
  /** What went wrong in the previous attempt (validation output tail, the agent's summary); null on a first attempt. */
  feedback: string | null;
}

function readyCheckInstructions(input: PhasePromptInput): string {
  return `# Phase ready-check

A migration is carried out one phase at a time. Before a phase starts, decide whether it can start now. Do not carry it out: change nothing. Do not edit, create or delete files, do not commit and do not switch branches; only read.

Your working directory, ${input.worktree}, is the repository to check. The phase's precondition, in the Phase section below, states what must already be true in the code before the phase starts. Check it against the code as it is now. Where the precondition relies on earlier phases, check that their work is really present in the code.

"The tests pass" or "the build is green" is not part of any precondition: cairn checks that itself with the project's validation command. If a precondition asks for it, ignore that part and judge the rest. Not having fresh test results is never a reason to answer unverifiable.

The possible answers:
- yes: the precondition holds now.
- no: it does not hold yet, for example because an earlier phase's work is missing. cairn tries again later.
- unverifiable: only a person, or something outside the repository, can tell. The migration then waits for human review, so use this only when reading the code cannot settle the question.

End your answer with exactly one of these lines, and nothing after it:
ready: yes
ready: no — <reason>
ready: unverifiable — <reason>`;
}

/**
 * The ready-check prompt: its instructions, then `## Migration`, `## Phase`
 * (name, document, precondition), `## Phase document`, `## Plan` (when
 * given) and `## Taste` (when given).
 */
export function readyCheckPrompt(input: PhasePromptInput): string {
  return joinSections([readyCheckInstructions(input), ...contextSections(input)]);
}

/**
 * The execution prompt: its instructions, then `## Migration`, `## Phase`,
 * `## Phase document`, `## Plan` (when given), `## Taste` (when given),
 * `## Validation`, `## Attempt` (with the previous attempt's feedback on a
 * retry) and `## Status block`.
 */
export function executePrompt(input: ExecutePromptInput): string {
  return joinSections([
    executeInstructions(input),
    ...contextSections(input),
    validationSection(input.validateCommand),
    attemptSection(input),
    statusBlockSection(),
  ]);
}

function executeInstructions(input: ExecutePromptInput): string {
  return `# Phase execution

Carry out one phase of a migration. Your working directory is ${input.worktree}, a git worktree cairn prepared for this phase; make every change there. The phase document below says what the phase does. Its Definition of Done is the contract: the phase is finished only when every point of it holds.

Rules:
- Do what this phase asks, following the phase document and the plan, and nothing more. Later phases are not part of this run.
- Do not change anything under ${input.migrationDir}/ (the plan, the phase documents, the manifest). cairn records the phase as done itself once your work is validated.
- Do not commit, and do not create, switch or reset branches. cairn commits your changes after validating them.
- Leave the project working: the validation described below must pass when you finish.
- End your final message with the status block described at the end of this prompt.`;
}

function contextSections(input: PhasePromptInput): string[] {
  const sections = [
    `## Migration\n${input.slug} (directory ${input.migrationDir})`,
    [
      '## Phase',
      `name: ${input.phase.name}`,
      `document: ${input.phaseFile}`,
      `precondition: ${input.phase.precondition}`,
    ].join('\n'),
    `## Phase document (${input.phaseFile})\n${fenced(input.phaseDoc, 'markdown')}`,
  ];
  if (input.plan !== null && input.plan.trim() !== '') sections.push(`## Plan (plan.md)\n${fenced(input.plan, 'markdown')}`);
  if (input.taste !== null && input.taste.trim() !== '') sections.push(`## Taste\n${trimBlock(input.taste)}`);
  return sections;
}

function validationSection(command: string | null): string {
  if (command === null || command.trim() === '') {
    return '## Validation\nNo validation command is configured. Check your work with the project\'s own build and tests before you finish.';
  }
  return [
    '## Validation',
    'When you finish, cairn runs this command in the worktree; the phase counts as done only if it exits with status 0:',
    fenced(command, 'sh'),
    'Run it yourself before you finish. Narrower checks help while you work but do not replace it.',
  ].join('\n');
}

function attemptSection(input: ExecutePromptInput): string {
  const lines = ['## Attempt', `This is attempt ${input.attempt} of ${input.maxAttempts}.`];
  const feedback = input.feedback === null ? '' : trimBlock(input.feedback);
  if (feedback !== '') {
    lines.push('The previous attempt did not succeed. What cairn saw:', fenced(feedback, 'text'), 'Address this in this attempt.');
  }
  return lines.join('\n');
}

/** What each key of the status block means, for the agent. */
const STATUS_KEY_MEANINGS: Readonly<Record<StatusBlockKey, string>> = {
  phase_reached: 'how far you got, as a short label (for example `reading`, `editing`, `validating`, `done`)',
  decision: `one of ${STATUS_DECISIONS.map((value) => `\`${value}\``).join(', ')}: \`commit\` when the Definition of Done holds and validation passes; \`retry\` when another attempt could succeed; \`abandon\` when the phase cannot be done as written; \`blocked\` when a person must decide something first`,
  retry_recommendation: `one of ${RETRY_RECOMMENDATIONS.map((value) => `\`${value}\``).join(', ')}: \`none\` with \`commit\`, \`same-target\` to try this phase again, \`new-target\` to move on, \`human-review\` when a person must look`,
  failure_kind: 'a short lowercase hyphenated label of what went wrong (for example `validation-failed`), or `none`',
  summary: 'one or two sentences: what you did, or why you stopped',
  commit_rationale: 'why the change is worth committing, in a sentence that can go into the commit message; `none` when not committing',
  next_retry_focus: 'what another attempt should do differently, or `none`',
  tests_run: 'the checks you ran, briefly (for example the validation command), or `none`',
  evidence: 'on the lines after it, one `- <path>` item per file that shows the work (changed source and test files, relative to the repository root)',
};

const STATUS_KEY_PLACEHOLDERS: Readonly<Record<StatusBlockKey, string>> = {
  phase_reached: '<label>',
  decision: '<commit|retry|abandon|blocked>',
  retry_recommendation: '<none|same-target|new-target|human-review>',
  failure_kind: '<label or none>',
  summary: '<one or two sentences>',
  commit_rationale: '<sentence or none>',
  next_retry_focus: '<sentence or none>',
  tests_run: '<checks or none>',
  evidence: '',
};

function statusBlockSection(): string {
  const template = [
    STATUS_BLOCK_BEGIN,
    ...STATUS_BLOCK_KEYS.map((key) => (key === 'evidence' ? 'evidence:\n  - <path>' : `${key}: ${STATUS_KEY_PLACEHOLDERS[key]}`)),
    STATUS_BLOCK_END,
  ].join('\n');
  const meanings = STATUS_BLOCK_KEYS.map((key) => `- ${key}: ${STATUS_KEY_MEANINGS[key]}`).join('\n');
  return [
    '## Status block',
    'End your final message with this block, every key present, each value on one line:',
    template,
    'The keys:',
    meanings,
    'Keep the values short: no raw command output or logs. If you write the block more than once, only the last one counts.',
  ].join('\n');
}

/** A text placed in a section: without leading and trailing blank lines or trailing whitespace. */
function trimBlock(text: string): string {
  return text.replace(/^(?:[ \t]*\r?\n)+/, '').trimEnd();
}

/**
 * `text` in a fenced code block whose fence is longer than any backtick run
 * inside it, so a document's own headings and fences stay inside the block.
 */
function fenced(text: string, language: string): string {
  const longestRun = Math.max(0, ...Array.from(text.matchAll(/`+/g), (match) => match[0].length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}${language}\n${trimBlock(text)}\n${fence}`;
}

function joinSections(sections: string[]): string {
  return `${sections.join('\n\n')}\n`;
}
