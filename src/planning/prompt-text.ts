/*
 * cairn's instructions for each planning stage: the first section of every
 * stage prompt. The Context section that follows names the workspace, the
 * migration target and the step's inputs. Stage `expand` also serves the
 * `revise` step and stage `review` the `review-2` step (docs/format.md §9.2).
 */

/** The stages that have their own instructions. */
export const PROMPT_STAGES = ['approaches', 'pick-best', 'expand', 'review', 'final-review'] as const;
export type PromptStage = (typeof PROMPT_STAGES)[number];

const APPROACHES = `# Planning stage: approaches

You are helping plan a large code migration, one durable stage at a time. In this stage, explore different ways to make the change described by the target in the Context section.

Read the repository as much as you need. Then write 2 to 4 files, one per approach, at approaches/<idea>.md inside the workspace named in the Context section, where <idea> is a short lowercase hyphenated name (for example approaches/adapter-then-switch.md). Each file covers:
- Strategy: how the migration would proceed, naming the modules, files or interfaces involved.
- Trade-offs: what the approach makes easy and what it makes hard.
- Phases: the rough order of steps, each of which leaves the code working.
- Risk: what could go wrong, and how it would be noticed.

Make the approaches genuinely different from each other, not variations of one idea. Do not create or change any file outside the workspace.

Print to stdout a short summary: each approach file you wrote, with one sentence on it.`;

const PICK_BEST = `# Planning stage: pick-best

Choose the best of the approaches listed in the Context section for this migration and this codebase.

Print your decision to stdout: the chosen approach (by its name, the heading above it in the Context section), why it fits better than the others, and anything from the other approaches worth keeping. What you print is recorded as the durable choice that the next stage expands into a plan, so make it complete on its own.

Do not create or change any files.`;

const EXPAND = `# Planning stage: expand

Write the executable plan for this migration into the workspace named in the Context section. The Context section holds what the plan must build on: the chosen approach, or, when the plan is being revised, the review findings or user feedback it must address (the current plan.md and phase documents are in the workspace).

Write these files in the workspace:

1. plan.md: the goal, the chosen strategy, the phases in order with one paragraph on each, and how progress will be verified.

2. One phase document per phase, named phase-<n>-<name>.md, directly in the workspace (not in a subdirectory). <n> is the phase number counting from 1; <name> is a short lowercase hyphenated name that no other phase uses (for example phase-1-introduce-adapter.md). Each phase document has these two sections, each introduced by a heading on a line of its own:

   ## Precondition
   What must be true before the phase may start: facts about the code that the earlier phases establish (for example "the billing service reads its settings through ConfigLoader"). Do not restate the baseline cairn's harness checks before every phase anyway, such as "tests pass" or "the build is green".

   ## Definition of Done
   The checkable conditions under which the phase is complete.

   Keep the two apart: a precondition is not a completion criterion, and the Definition of Done does not repeat the precondition.

   If a phase needs more than the default effort to execute safely, add the lines
   required_effort: <low|medium|high|xhigh>
   effort_reason: <one sentence>
   choosing the lowest tier that is safe for that phase.

When revising, update plan.md and the phase documents in place, and rename, add or remove phase files so that the phase-<n>-<name>.md files match the plan exactly. Do not create or change any file outside the workspace.

Print to stdout a short summary of the plan and the list of phase files.`;

const REVIEW = `# Planning stage: review

Review the plan in the Context section, and the phase documents it relies on (the phase-<n>-<name>.md files in the workspace named in the Context section), against these rules:
- Every phase has a phase-<n>-<name>.md document directly in the workspace, with a "## Precondition" heading and a "## Definition of Done" heading, each on a line of its own.
- A precondition states facts the earlier phases establish; it does not restate the baseline the harness already checks, such as "tests pass" or "the build is green".
- Preconditions and Definitions of Done are not conflated: neither repeats the other.
- Every required_effort value is one of low, medium, high, xhigh, and is the lowest tier that is safe for its phase.
- The phases are in an order in which each one leaves the code working, and together they reach the migration target.
- plan.md and the phase documents agree with each other.

Do not create or change any files.

Print to stdout either a numbered list of findings (1. ..., 2. ...), each naming the file and saying what must change, or, when there is nothing to fix, only the line:
no findings.
A review with findings must not contain the words "no findings" anywhere, since that phrase marks the plan as clear.`;

const FINAL_REVIEW = `# Planning stage: final-review

Make the final decision on the plan in the Context section before it may be executed. Check plan.md and the phase documents in the workspace named in the Context section one last time: every phase document has its "## Precondition" and "## Definition of Done" sections, and the plan reaches the migration target.

Decide one of:
- approve-auto: the plan is sound and may be executed without a person looking at it first.
- approve-needs-human: the plan is sound, but a person should review it before execution (for example: it changes data, a public interface, or rests on a judgement the plan cannot settle). Say what the person should look at.
- reject: the migration should not be done; the reason names the blocker.

Do not create or change any files.

Print your reasoning to stdout. The last line must be the decision, in exactly this form:
final-decision: <approve-auto|approve-needs-human|reject> — <one-line reason>`;

/** The instructions section of each stage's prompt. */
export const STAGE_INSTRUCTIONS: Readonly<Record<PromptStage, string>> = {
  approaches: APPROACHES,
  'pick-best': PICK_BEST,
  expand: EXPAND,
  review: REVIEW,
  'final-review': FINAL_REVIEW,
};
