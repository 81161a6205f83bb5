import { describe, expect, test } from 'vitest';
import { executePrompt, parseStatusBlock, readyCheckPrompt, STATUS_BLOCK_KEYS, type ExecutePromptInput, type PhasePromptInput } from '../../src/execution/index.js';

const INPUT: PhasePromptInput = {
  slug: 'split-config',
  phase: {
    name: 'adapter',
    file: 'phase-1-adapter.md',
    done: false,
    precondition: 'ConfigLoader exists in src/config.',
    required_effort: null,
    effort_reason: null,
  },
  phaseFile: 'migrations/split-config/phase-1-adapter.md',
  phaseDoc: '# Adapter\n\n## Precondition\nConfigLoader exists.\n\n## Definition of Done\n- readers use the adapter\n',
  plan: '# Plan\nTwo phases.\n',
  taste: 'Prefer deletion.\n',
  worktree: '/repo/.planning/work/split-config/wt',
  migrationDir: 'migrations/split-config',
};

const RETRY: ExecutePromptInput = {
  ...INPUT,
  validateCommand: 'npm test',
  attempt: 2,
  maxAttempts: 3,
  feedback: 'validation failed: 2 tests\nsummary: x',
};

const READY_PROMPT = `# Phase ready-check

A migration is carried out one phase at a time. Before a phase starts, decide whether it can start now. Do not carry it out: change nothing. Do not edit, create or delete files, do not commit and do not switch branches; only read.

Your working directory, /repo/.planning/work/split-config/wt, is the repository to check. The phase's precondition, in the Phase section below, states what must already be true in the code before the phase starts. Check it against the code as it is now. Where the precondition relies on earlier phases, check that their work is really present in the code.

"The tests pass" or "the build is green" is not part of any precondition: cairn checks that itself with the project's validation command. If a precondition asks for it, ignore that part and judge the rest. Not having fresh test results is never a reason to answer unverifiable.

The possible answers:
- yes: the precondition holds now.
- no: it does not hold yet, for example because an earlier phase's work is missing. cairn tries again later.
- unverifiable: only a person, or something outside the repository, can tell. The migration then waits for human review, so use this only when reading the code cannot settle the question.

End your answer with exactly one of these lines, and nothing after it:
ready: yes
ready: no — <reason>
ready: unverifiable — <reason>

## Migration
split-config (directory migrations/split-config)

## Phase
name: adapter
document: migrations/split-config/phase-1-adapter.md
precondition: ConfigLoader exists in src/config.

## Phase document (migrations/split-config/phase-1-adapter.md)
\`\`\`markdown
# Adapter

## Precondition
ConfigLoader exists.

## Definition of Done
- readers use the adapter
\`\`\`

## Plan (plan.md)
\`\`\`markdown
# Plan
Two phases.
\`\`\`

## Taste
Prefer deletion.
`;

const EXECUTE_PROMPT = `# Phase execution

Carry out one phase of a migration. Your working directory is /repo/.planning/work/split-config/wt, a git worktree cairn prepared for this phase; make every change there. The phase document below says what the phase does. Its Definition of Done is the contract: the phase is finished only when every point of it holds.

Rules:
- Do what this phase asks, following the phase document and the plan, and nothing more. Later phases are not part of this run.
- Do not change anything under migrations/split-config/ (the plan, the phase documents, the manifest). cairn records the phase as done itself once your work is validated.
- Do not commit, and do not create, switch or reset branches. cairn commits your changes after validating them.
- Leave the project working: the validation described below must pass when you finish.
- End your final message with the status block described at the end of this prompt.

## Migration
split-config (directory migrations/split-config)

## Phase
name: adapter
document: migrations/split-config/phase-1-adapter.md
precondition: ConfigLoader exists in src/config.

## Phase document (migrations/split-config/phase-1-adapter.md)
\`\`\`markdown
# Adapter

## Precondition
ConfigLoader exists.

## Definition of Done
- readers use the adapter
\`\`\`

## Plan (plan.md)
\`\`\`markdown
# Plan
Two phases.
\`\`\`

## Taste
Prefer deletion.

## Validation
When you finish, cairn runs this command in the worktree; the phase counts as done only if it exits with status 0:
\`\`\`sh
npm test
\`\`\`
Run it yourself before you finish. Narrower checks help while you work but do not replace it.

## Attempt
This is attempt 2 of 3.
The previous attempt did not succeed. What cairn saw:
\`\`\`text
validation failed: 2 tests
summary: x
\`\`\`
Address this in this attempt.

## Status block
End your final message with this block, every key present, each value on one line:
BEGIN_CONTINUOUS_REFACTORING_STATUS
phase_reached: <label>
decision: <commit|retry|abandon|blocked>
retry_recommendation: <none|same-target|new-target|human-review>
failure_kind: <label or none>
summary: <one or two sentences>
commit_rationale: <sentence or none>
next_retry_focus: <sentence or none>
tests_run: <checks or none>
evidence:
  - <path>
END_CONTINUOUS_REFACTORING_STATUS
The keys:
- phase_reached: how far you got, as a short label (for example \`reading\`, \`editing\`, \`validating\`, \`done\`)
- decision: one of \`commit\`, \`retry\`, \`abandon\`, \`blocked\`: \`commit\` when the Definition of Done holds and validation passes; \`retry\` when another attempt could succeed; \`abandon\` when the phase cannot be done as written; \`blocked\` when a person must decide something first
- retry_recommendation: one of \`same-target\`, \`new-target\`, \`none\`, \`human-review\`: \`none\` with \`commit\`, \`same-target\` to try this phase again, \`new-target\` to move on, \`human-review\` when a person must look
- failure_kind: a short lowercase hyphenated label of what went wrong (for example \`validation-failed\`), or \`none\`
- summary: one or two sentences: what you did, or why you stopped
- commit_rationale: why the change is worth committing, in a sentence that can go into the commit message; \`none\` when not committing
- next_retry_focus: what another attempt should do differently, or \`none\`
- tests_run: the checks you ran, briefly (for example the validation command), or \`none\`
- evidence: on the lines after it, one \`- <path>\` item per file that shows the work (changed source and test files, relative to the repository root)
Keep the values short: no raw command output or logs. If you write the block more than once, only the last one counts.
`;

describe('readyCheckPrompt', () => {
  test('the whole prompt', () => {
    expect(readyCheckPrompt(INPUT)).toBe(READY_PROMPT);
  });

  test('the same input gives the same prompt', () => {
    expect(readyCheckPrompt(structuredClone(INPUT))).toBe(readyCheckPrompt(INPUT));
  });

  test('a missing or blank plan and taste leave their sections out', () => {
    const prompt = readyCheckPrompt({ ...INPUT, plan: null, taste: '  \n' });
    expect(prompt).not.toContain('## Plan');
    expect(prompt).not.toContain('## Taste');
    expect(prompt.endsWith('- readers use the adapter\n```\n')).toBe(true);
  });
});

describe('executePrompt', () => {
  test('the whole prompt of a retry', () => {
    expect(executePrompt(RETRY)).toBe(EXECUTE_PROMPT);
  });

  test('a first attempt has no feedback', () => {
    const prompt = executePrompt({ ...RETRY, attempt: 1, feedback: null });
    expect(prompt).toContain('## Attempt\nThis is attempt 1 of 3.\n\n## Status block\n');
    expect(prompt).not.toContain('previous attempt');
    expect(executePrompt({ ...RETRY, attempt: 1, feedback: '\n  \n' })).toBe(prompt);
  });

  test('without a validation command', () => {
    const prompt = executePrompt({ ...RETRY, validateCommand: null });
    expect(prompt).toContain(
      "## Validation\nNo validation command is configured. Check your work with the project's own build and tests before you finish.\n\n## Attempt\n",
    );
    expect(prompt).not.toContain('```sh');
  });

  test('a document holding a code fence gets a longer fence', () => {
    const prompt = executePrompt({ ...RETRY, phaseDoc: '## Definition of Done\n```ts\nx()\n```\n', plan: 'uses ````four```` ticks' });
    expect(prompt).toContain('## Phase document (migrations/split-config/phase-1-adapter.md)\n````markdown\n## Definition of Done\n```ts\nx()\n```\n````\n');
    expect(prompt).toContain('## Plan (plan.md)\n`````markdown\nuses ````four```` ticks\n`````\n');
  });

  test('the status block template lists every key and parses as a block', () => {
    const prompt = executePrompt(RETRY);
    for (const key of STATUS_BLOCK_KEYS) expect(prompt).toContain(`\n${key}:`);
    expect(parseStatusBlock(prompt)).toEqual({
      phase_reached: '<label>',
      decision: null,
      retry_recommendation: null,
      failure_kind: '<label or none>',
      summary: '<one or two sentences>',
      commit_rationale: '<sentence or none>',
      next_retry_focus: '<sentence or none>',
      tests_run: '<checks or none>',
      evidence: ['<path>'],
    });
  });
});
