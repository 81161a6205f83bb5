import type { Finding, Severity, ValidationMode } from '../migration/index.js';

/*
 * Every finding code cairn can report, with what it means and how to fix it.
 * The rule table in the README is generated from this registry
 * (`rulesMarkdownTable`), and the SARIF reporter lists one rule per entry.
 */

/** Where a rule comes from: the v1 format's contract (docs/format.md §12.4) or cairn. */
export type RuleOrigin = 'v1' | 'cairn';

export interface Rule {
  code: string;
  /** The severity the rule reports with (a few rules report a lower one in a documented case). */
  severity: Severity;
  origin: RuleOrigin;
  /** When the rule runs, in words (modes and status gating). */
  runs: string;
  /** What the finding means. */
  description: string;
  /** How to fix it. */
  hint: string;
}

const ALL_MODES = 'every mode';
const READY_GATED = '`ready-publish`; `doctor` when status is ready or in-progress';

/** The registry, in the order the README lists it. */
export const RULES: readonly Rule[] = [
  {
    code: 'missing-manifest',
    severity: 'error',
    origin: 'v1',
    runs: ALL_MODES,
    description: 'The migration directory has no `manifest.json`. Reported alone.',
    hint: 'Restore manifest.json from version control; a migration directory without one cannot be planned or executed.',
  },
  {
    code: 'invalid-manifest',
    severity: 'error',
    origin: 'v1',
    runs: ALL_MODES,
    description: '`manifest.json` does not load (unreadable, bad JSON, wrong types, unknown phase). Reported alone.',
    hint: 'Fix manifest.json as the message says, or restore it from version control.',
  },
  {
    code: 'merge-conflict',
    severity: 'error',
    origin: 'cairn',
    runs: `${ALL_MODES} (state.json: whenever it exists)`,
    description:
      '`manifest.json` or `.planning/state.json` holds git conflict markers; reported instead of `invalid-manifest` / `planning-state-invalid`.',
    hint: 'Take one side with `cairn resolve <slug> --ours` or `--theirs` while the merge is in progress, or keep the right lines, delete the <<<<<<<, ======= and >>>>>>> marker lines, then commit.',
  },
  {
    code: 'manifest-slug-mismatch',
    severity: 'error',
    origin: 'v1',
    runs: `${ALL_MODES} (not for a staged copy under \`__transactions__/*/staged\` unless the slug is given)`,
    description: 'The manifest `name` differs from the directory name.',
    hint: 'Make "name" in manifest.json equal the directory name, or rename the directory to match.',
  },
  {
    code: 'duplicate-phase-doc-index',
    severity: 'error',
    origin: 'v1',
    runs: ALL_MODES,
    description: 'Two phase docs share a numeric index (`phase-01-a.md` and `phase-1-b.md`); reported on the later file.',
    hint: 'Renumber one of the phase docs so every phase-<n>-*.md index is unique (01 and 1 are the same index).',
  },
  {
    code: 'duplicate-phase-doc-name',
    severity: 'error',
    origin: 'v1',
    runs: ALL_MODES,
    description: 'Two phase docs share a name part (`phase-1-a.md` and `phase-2-a.md`); reported on the later file.',
    hint: 'Rename one of the phase docs so every phase name is unique.',
  },
  {
    code: 'missing-plan',
    severity: 'error',
    origin: 'v1',
    runs: '`ready-publish`; `execution-gate` and `doctor` when status is ready or in-progress',
    description: 'A ready or in-progress migration has no `plan.md`.',
    hint: 'Restore plan.md from version control, or set the status back to planning and plan the migration again.',
  },
  {
    code: 'invalid-phase-file-reference',
    severity: 'error',
    origin: 'v1',
    runs: ALL_MODES,
    description: 'A manifest phase `file` is empty, `.`, absolute or contains `..`.',
    hint: 'Set the phase\'s "file" in manifest.json to a path inside the migration directory, e.g. phase-1-<name>.md.',
  },
  {
    code: 'phase-file-escapes-migration',
    severity: 'error',
    origin: 'v1',
    runs: ALL_MODES,
    description: 'A manifest phase file resolves (through symlinks) outside the migration directory.',
    hint: 'Keep phase docs inside the migration directory as regular files and point "file" at them.',
  },
  {
    code: 'phase-file-not-regular',
    severity: 'error',
    origin: 'v1',
    runs: ALL_MODES,
    description: 'A manifest phase file is a symlink or not a regular file.',
    hint: 'Replace it with a regular file (not a symlink, not a directory).',
  },
  {
    code: 'missing-phase-file',
    severity: 'error',
    origin: 'v1',
    runs: ALL_MODES,
    description: 'A manifest phase file does not exist.',
    hint: 'Restore the phase doc from version control, or fix the phase\'s "file" in manifest.json.',
  },
  {
    code: 'missing-manifest-phases',
    severity: 'error',
    origin: 'v1',
    runs: READY_GATED,
    description: 'A ready migration has no manifest phases (then `invalid-current-phase` is not checked).',
    hint: 'List the phases in manifest.json (one per phase-<n>-<name>.md), or set the status back to planning.',
  },
  {
    code: 'invalid-current-phase',
    severity: 'error',
    origin: 'v1',
    runs: READY_GATED,
    description: '`current_phase` (including `""`) names no manifest phase.',
    hint: 'Set "current_phase" in manifest.json to the name of the phase to execute next.',
  },
  {
    code: 'phase-doc-not-in-manifest',
    severity: 'error',
    origin: 'v1',
    runs: READY_GATED,
    description: 'A phase doc name is not a manifest phase; one finding per name, sorted, on the path `phase-*-<name>.md`.',
    hint: 'Add the phase to "phases" in manifest.json, or remove the stray phase doc.',
  },
  {
    code: 'missing-phase-precondition',
    severity: 'error',
    origin: 'v1',
    runs: READY_GATED,
    description: 'A manifest phase doc lacks a `## Precondition` heading line.',
    hint: 'Add a "## Precondition" section saying what must hold before the phase starts.',
  },
  {
    code: 'missing-phase-definition-of-done',
    severity: 'error',
    origin: 'v1',
    runs: READY_GATED,
    description: 'A manifest phase doc lacks a `## Definition of Done` heading line.',
    hint: 'Add a "## Definition of Done" section saying when the phase is complete.',
  },
  {
    code: 'planning-state-missing',
    severity: 'error',
    origin: 'v1',
    runs: '`doctor` when status is planning',
    description: 'A planning migration has no `.planning/state.json`.',
    hint: 'Restore .planning/state.json from version control; without it cairn cannot tell which planning step comes next.',
  },
  {
    code: 'planning-state-invalid',
    severity: 'error',
    origin: 'v1',
    runs: '`doctor` when status is planning',
    description: '`.planning/state.json` does not load or validate (bad JSON, replay mismatch, missing stage output).',
    hint: 'Fix .planning/state.json as the message says, or restore it and the stage outputs it names from version control.',
  },
  {
    code: 'migration-moved',
    severity: 'error',
    origin: 'cairn',
    runs: '`doctor`, when `.planning/state.json` decodes',
    description:
      'The migration directory was moved or renamed by hand: every output path in `.planning/state.json` names the same file under another directory of the live root (identical where that file still exists); reported instead of `planning-state-invalid` and `stage-output-unrecorded`.',
    hint: 'Move the directory back with `git mv`, then rename it with `cairn mv <old-slug> <new-slug>`, which rewrites those paths too; or complete the rename by hand: rewrite the old directory in the output paths of .planning/state.json and set "name" in manifest.json to the new directory name.',
  },
  {
    code: 'stage-output-modified',
    severity: 'error',
    origin: 'cairn',
    runs: `${ALL_MODES}, when \`.planning/sums\` exists`,
    description: 'A stage output recorded in `.planning/sums` is missing, not a regular file, or no longer has its recorded SHA-256.',
    hint: 'Accepted stage outputs are history: restore the file from version control (`sha256sum -c .planning/sums` in the migration directory lists every mismatch).',
  },
  {
    code: 'sums-invalid',
    severity: 'error',
    origin: 'cairn',
    runs: `${ALL_MODES}, when \`.planning/sums\` exists`,
    description: 'A line of `.planning/sums` is not `<64 hex digits>  <path inside the migration>`, or the file is unreadable.',
    hint: 'Restore .planning/sums from version control; every line must be "<sha256>  <path relative to the migration>".',
  },
  {
    code: 'stage-output-unrecorded',
    severity: 'warning',
    origin: 'cairn',
    runs: `${ALL_MODES}, when \`.planning/state.json\` loads`,
    description: 'A file in `.planning/stages/` is named by no accepted step.',
    hint: 'Stage files are written only for accepted steps: remove the stray file, or restore the state.json that recorded it.',
  },
  {
    code: 'review-record-invalid',
    severity: 'error',
    origin: 'cairn',
    runs: `${ALL_MODES}, when \`.planning/reviews.jsonl\` exists`,
    description:
      'A line of `.planning/reviews.jsonl` is not a review record (JSON object: `reviewer`, `decision` approve|reject|request-changes, `at`, `snapshot_id`, optional `note`).',
    hint: 'Restore the line from version control; reviews.jsonl is append-only and written by `cairn review`.',
  },
  {
    code: 'path-unreadable',
    severity: 'error',
    origin: 'cairn',
    runs: ALL_MODES,
    description: 'A file or directory the checks must read could not be read (permissions, I/O error).',
    hint: 'Make the path readable by the user running cairn, then run doctor again.',
  },
  {
    code: 'unsafe-migration-name',
    severity: 'error',
    origin: 'cairn',
    runs: '`doctor --all`; `list` shows the directory as blocked',
    description:
      'A migration directory name holds a control character (C0, DEL, C1), a bidi control, an invisible format character or a line separator; cairn shows it escaped and never works on it.',
    hint: 'Rename the directory to a name of printable characters (`ls -b` shows the escapes; `git mv` keeps its history), or remove it if it was not meant to be committed.',
  },
  {
    code: 'config-invalid',
    severity: 'error',
    origin: 'cairn',
    runs: '`doctor` (slug `.planning`)',
    description: '`.planning/config.json` is unreadable or invalid, or its `migrations_dir` points outside the repository.',
    hint: 'Fix .planning/config.json: a JSON object whose "migrations_dir" names a directory inside the repository.',
  },
  {
    code: 'work-content-committed',
    severity: 'error',
    origin: 'cairn',
    runs: '`doctor --all` in a git repository (slug `.planning`)',
    description:
      'git tracks files under `.planning/work/`, where cairn keeps its local planning runs. cairn never uses a committed run: `cairn accept` publishes only a run it prepared for this user on this machine.',
    hint: 'Remove the run files from the index (`git rm -r --cached .planning/work`) and commit; .planning/work is local and gitignored.',
  },
  {
    code: 'transaction-root-invalid',
    severity: 'error',
    origin: 'v1',
    runs: '`doctor --all`',
    description: '`<live>/__transactions__` exists but is not a directory, or is a symlink leading out of the migrations root (never followed).',
    hint: 'Move the file away: __transactions__ is reserved for publish state and must be a directory.',
  },
  {
    code: 'publish-lock-present',
    severity: 'error',
    origin: 'v1',
    runs: '`doctor --all`',
    description:
      'The publish lock `__transactions__/.lock` exists. An error when its owner cannot be checked (written by continuous-refactoring, or unreadable); a warning naming the holder when it is a live cairn lock.',
    hint: 'A publish may be running. If no continuous-refactoring or cairn process is running, the lock was left by a crash: remove the .lock directory by hand.',
  },
  {
    code: 'publish-lock-stale',
    severity: 'error',
    origin: 'cairn',
    runs: '`doctor --all`',
    description:
      'A cairn publish lock whose holder is gone (same host, pid not running) or whose heartbeat is older than the stale limit (10 s).',
    hint: 'The holder is gone: the next publish reclaims the lock on its own, or release it now with `cairn unlock` and the lock id.',
  },
  {
    code: 'transaction-leftover',
    severity: 'error',
    origin: 'v1',
    runs: '`doctor --all`',
    description: 'A subdirectory of `__transactions__` other than `.lock` (plain files are ignored).',
    hint: 'Inspect it: `cairn recover` finishes or undoes an interrupted publish; a leftover staged/ or failed/ copy of a blocked publish can be removed once inspected.',
  },
  {
    code: 'transaction-incomplete',
    severity: 'error',
    origin: 'cairn',
    runs: '`doctor --all`',
    description: 'A cairn publish was interrupted (its transaction directory has a journal or cairn marker); the message says what recovery would do: roll forward, roll back or discard.',
    hint: 'Run `cairn recover --dry-run` to see the steps, then `cairn recover` (any publish also recovers first, under the lock).',
  },
  {
    code: 'check-failed',
    severity: 'error',
    origin: 'cairn',
    runs: '`doctor`',
    description: 'A check stopped on an unexpected error; the migration was not fully checked.',
    hint: 'This is a bug in cairn; please report it with the message.',
  },
];

const BY_CODE = new Map(RULES.map((rule) => [rule.code, rule]));

/** The registry entry of `code`; throws for a code that is not registered (a programming error). */
export function ruleFor(code: string): Rule {
  const rule = BY_CODE.get(code);
  if (rule === undefined) throw new Error(`unregistered finding code: ${code}`);
  return rule;
}

/** Builds a finding with the rule's severity and hint unless overridden. */
export function makeFinding(
  code: string,
  fields: {
    mode: ValidationMode;
    slug: string;
    path: string;
    message: string;
    hint?: string;
    severity?: Severity;
    v1?: { code: string; message: string };
  },
): Finding {
  const rule = ruleFor(code);
  const finding: Finding = {
    severity: fields.severity ?? rule.severity,
    mode: fields.mode,
    code,
    slug: fields.slug,
    path: fields.path,
    message: fields.message,
    hint: fields.hint ?? rule.hint,
  };
  if (fields.v1 !== undefined) finding.v1 = fields.v1;
  return finding;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The rule table as markdown (code, severity, origin, when it runs, meaning, fix). */
export function rulesMarkdownTable(): string {
  const lines = ['| code | severity | from | runs | meaning | fix |', '|---|---|---|---|---|---|'];
  for (const rule of RULES) {
    lines.push(
      `| \`${rule.code}\` | ${rule.severity} | ${rule.origin} | ${cell(rule.runs)} | ${cell(rule.description)} | ${cell(rule.hint)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
