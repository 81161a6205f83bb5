/*
 * The recorded planning session `cairn demo` replays: what an agent wrote
 * into the workspace and printed, step by step, while planning a small but
 * real migration of the demo project (see `project.ts`). The review finds
 * problems, the revise fixes them, the second review is clear, and the
 * final review asks for a human because the plan removes a public export.
 */

/** What one step writes into the workspace (paths relative to it) and prints. */
export interface RecordedStep {
  files: Readonly<Record<string, string>>;
  stdout: string;
}

export const DEMO_SLUG = 'async-config-loader';

export const DEMO_TARGET =
  'Replace the synchronous, unvalidated getConfigSync() in src/config.js with an async loadConfig() that validates the file, and move every caller to it';

const PLAN_V1 = `# Plan: async, validated config loading

## Goal
\`getConfigSync()\` (src/config.js) reads config.json with a blocking read on
every call and trusts whatever it parses. Replace it with \`loadConfig()\`: async,
read once, validated against the two fields the service uses (\`greeting\`,
\`port\`), with an error that names the bad field.

## Approach
Wrap, then migrate (approaches/wrap-then-migrate.md): add the new loader next
to the old one, move the two callers one at a time, then delete the old
function. Every phase leaves the service working.

## Phases
1. phase-1-add-loader.md — add \`loadConfig()\` and its validation.
2. phase-2-migrate-callers.md — src/server.js and src/cli.js use it.
3. phase-3-remove-sync-loader.md — delete \`getConfigSync()\`.
`;

const PLAN_V2 = `${PLAN_V1}
## Rollback
Phases 1 and 2 are additive or local to one caller: revert the commit.
Phase 3 deletes an exported function; if an unknown caller turns up, restore
\`getConfigSync()\` as a wrapper that throws a clear deprecation error instead of
reverting the whole migration.
`;

const PHASE_1 = `# Phase 1: add loadConfig()

## Precondition
src/config.js exports getConfigSync() and nothing named loadConfig exists yet.

## Definition of Done
- src/config.js exports \`async function loadConfig(file = 'config.json')\`.
- It rejects a missing or non-string \`greeting\` and a \`port\` that is not an
  integer from 1 to 65535, with an error naming the field and the file.
- getConfigSync() is unchanged.

required_effort: low
effort_reason: one new function next to the old one; no caller changes.
`;

const PHASE_2_V1 = `# Phase 2: move the callers

## Precondition
The test suite passes.

## Definition of Done
src/server.js and src/cli.js await loadConfig() once at start-up and no longer
import getConfigSync().

required_effort: medium
effort_reason: top-level await changes start-up order in two entry points.
`;

const PHASE_2_V2 = `# Phase 2: move the callers

## Precondition
src/config.js exports loadConfig() (phase 1 is done).

## Definition of Done
src/server.js and src/cli.js await loadConfig() once at start-up and no longer
import getConfigSync().

required_effort: medium
effort_reason: top-level await changes start-up order in two entry points.
`;

const PHASE_3_V1 = `# Phase 3: remove getConfigSync()

## Precondition
No file under src/ other than src/config.js calls getConfigSync().

## Definition of Done
getConfigSync() is deleted from src/config.js.

required_effort: low
`;

const PHASE_3_V2 = `# Phase 3: remove getConfigSync()

## Precondition
No file under src/ other than src/config.js calls getConfigSync().

## Definition of Done
- getConfigSync() is deleted from src/config.js.
- \`git grep -n getConfigSync\` finds nothing, README included.
- The CHANGELOG notes the removed export and names loadConfig() as its
  replacement.

required_effort: low
effort_reason: a deletion guarded by a search; the risk is external callers, which the final review flags.
`;

const WRAP_THEN_MIGRATE = `# Wrap, then migrate

Strategy: add \`loadConfig()\` beside \`getConfigSync()\`, move callers one at a
time, delete the old function last.

Trade-offs: the two loaders coexist for a while; every step is small and
leaves the service running.

Phases: add the loader; move src/server.js and src/cli.js; remove the old one.

Risk: low. The only irreversible step is the final deletion.
`;

const BIG_BANG = `# Rewrite in one change

Strategy: replace getConfigSync() with loadConfig() and update both callers
in a single commit.

Trade-offs: shortest path, but the change mixes a new API, validation and
start-up order changes; a regression is harder to bisect.

Phases: one.

Risk: medium. Nothing can be rolled back partially.
`;

const SCHEMA_FIRST = `# Schema first

Strategy: introduce a JSON Schema for config.json and a validator dependency,
then build the async loader on top of it.

Trade-offs: the most thorough validation, but it adds a dependency to a
project that has none, for two fields.

Phases: schema and validator; loader; callers; removal.

Risk: low, but more work than the problem needs.
`;

/** The session, by step. `revise` and `review-2` come after the review's findings. */
export const DEMO_RECORDING: Readonly<Record<string, RecordedStep>> = {
  approaches: {
    files: {
      'approaches/wrap-then-migrate.md': WRAP_THEN_MIGRATE,
      'approaches/big-bang-rewrite.md': BIG_BANG,
      'approaches/schema-first.md': SCHEMA_FIRST,
    },
    stdout:
      'Wrote three approaches: wrap-then-migrate (incremental), big-bang-rewrite (one change), schema-first (adds a validator dependency).\n',
  },
  'pick-best': {
    files: {},
    stdout:
      'Chosen: wrap-then-migrate.\n\n' +
      'Rationale: each phase is small and leaves the service running; the only irreversible step (deleting\n' +
      'getConfigSync) comes last, after every caller has moved. big-bang-rewrite mixes three changes in one\n' +
      'commit; schema-first adds a dependency for two fields.\n',
  },
  expand: {
    files: {
      'plan.md': PLAN_V1,
      'phase-1-add-loader.md': PHASE_1,
      'phase-2-migrate-callers.md': PHASE_2_V1,
      'phase-3-remove-sync-loader.md': PHASE_3_V1,
    },
    stdout: 'Wrote plan.md and three phases: add-loader, migrate-callers, remove-sync-loader.\n',
  },
  review: {
    files: {},
    stdout:
      '1. phase-2-migrate-callers.md: the precondition "The test suite passes" restates the baseline the\n' +
      '   harness already checks; state the phase-local fact instead (loadConfig() exists).\n' +
      '2. phase-3-remove-sync-loader.md: the Definition of Done does not say how remaining callers are\n' +
      '   found, and the README still mentions getConfigSync().\n' +
      '3. plan.md: no rollback note, although phase 3 deletes an exported function.\n',
  },
  revise: {
    files: {
      'plan.md': PLAN_V2,
      'phase-2-migrate-callers.md': PHASE_2_V2,
      'phase-3-remove-sync-loader.md': PHASE_3_V2,
    },
    stdout:
      'Addressed the three findings: phase 2 now requires loadConfig() to exist; phase 3 is done only when\n' +
      'git grep finds no getConfigSync and the CHANGELOG names the replacement; plan.md has a Rollback section.\n',
  },
  'review-2': {
    files: {},
    stdout: 'Preconditions are phase-local and every phase has a checkable Definition of Done.\n\nNo findings.\n',
  },
  'final-review': {
    files: {},
    stdout:
      'The plan is sound and every phase leaves the service running.\n\n' +
      'final-decision: approve-needs-human — phase 3 removes the exported getConfigSync(); a maintainer should confirm no other package imports it\n',
  },
};
