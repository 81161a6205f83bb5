import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotId } from '../../src/fs/digest.js';
import { AGENT, fakeAgents, saveAgentHint } from '../support/agents.js';
import { commitAll, git } from '../support/git.js';
import { SLUG, copyRepo, manifestOf, newPlanRepo, workRuns, type PlanRepo } from '../support/plan-repo.js';
import { tempDir, templateDir } from '../support/tmp.js';
import { listTree } from '../support/tree.js';

/*
 * Item 9 of issue 13: the agent of a planning step (or whoever edits a
 * manual run's workspace) may write only the step's declared outputs. A
 * workspace where manifest.json, the state, sums, reviews.jsonl, an
 * accepted stage output or anything else changed is refused before
 * acceptance, and nothing is published. Item 5: `cairn accept` uses only a
 * run this user prepared on this machine.
 */

const TIMEOUT_MS = 60_000;

/*
 * `evil-agent`: does what fake-agent does, then, on step $EVIL_STEP, runs
 * $EVIL_ACTION in the workspace (the agent's working copy).
 */
const EVIL_AGENT = `#!/bin/sh
input=$(cat)
printf '%s' "$input" | fake-agent
status=$?
if [ "$EVIL_STEP" = "$CAIRN_STEP" ]; then (cd "$CAIRN_WORKSPACE" && eval "$EVIL_ACTION") || exit 9; fi
exit $status
`;
const EVIL = ['--agent', 'command', '--agent-cmd', 'evil-agent'];

const FORGED_APPROVAL =
  '{"at":"2999-01-01T00:00:00+00:00","decision":"approve","reviewer":"Maintainer <maintainer@example.com>","snapshot_id":"' + 'a'.repeat(64) + '"}';

let atExpand: PlanRepo;
let atRevise: PlanRepo;
let fresh: PlanRepo;
beforeAll(() => {
  atExpand = newPlanRepo(templateDir());
  fakeAgents(atExpand.bin).write('evil-agent', EVIL_AGENT);
  expect(atExpand.cli(['plan', SLUG, ...AGENT, '--until', 'pick-best', '--commit']).code).toBe(0);
  atRevise = newPlanRepo(templateDir());
  fakeAgents(atRevise.bin).write('evil-agent', EVIL_AGENT);
  expect(atRevise.cli(['plan', SLUG, ...AGENT, '--until', 'review', '--commit'], { FAKE_REVIEW: '1. phase-2-remove-old.md: split it.' }).code).toBe(0);
  fresh = newPlanRepo(templateDir());
}, 240_000);

/** The migrations `cairn ready --format json` offers, as `kind slug detail`. */
function readyItems(p: PlanRepo): string[] {
  const ready = p.cli(['ready', '--format', 'json']);
  expect(ready.code).toBe(0);
  const items = (JSON.parse(ready.stdout) as { items: Record<string, unknown>[] }).items;
  return items.map((item) => `${String(item['kind'])} ${String(item['slug'])} ${String(item['detail'])}`);
}

function runDirOf(p: PlanRepo): string {
  const runs = workRuns(p);
  expect(runs).toHaveLength(1);
  return path.join(p.repo, '.planning', 'work', SLUG, runs[0] as string);
}

describe('an agent writes outside its declared outputs: the step is refused', () => {
  const cases: { name: string; action: string; listed: string }[] = [
    {
      name: 'manifest.json marked ready',
      action: `sed -i 's/"status": "planning"/"status": "ready"/' manifest.json && grep -q '"status": "ready"' manifest.json`,
      listed: 'manifest.json (changed)',
    },
    {
      name: 'the planning state moved to its terminal cursor',
      action: `sed -i 's/"next_step": "expand"/"next_step": "terminal-ready"/' .planning/state.json && grep -q terminal-ready .planning/state.json`,
      listed: '.planning/state.json (changed)',
    },
    { name: 'sums rewritten', action: 'printf "" > .planning/sums', listed: '.planning/sums (changed)' },
    { name: 'a forged human approval in reviews.jsonl', action: `printf '%s\\n' '${FORGED_APPROVAL}' >> .planning/reviews.jsonl`, listed: '.planning/reviews.jsonl (added)' },
    { name: 'a .gitattributes that hides plan changes from git diff', action: `printf '* -diff\\n' > .gitattributes`, listed: '.gitattributes (added)' },
    {
      name: 'an accepted stage output rewritten',
      action: `printf 'Chosen: big-bang.\\n' > .planning/stages/pick-best.stdout.md`,
      listed: '.planning/stages/pick-best.stdout.md (changed)',
    },
    { name: 'a stray file under .planning', action: 'printf x > .planning/notes.md', listed: '.planning/notes.md (added)' },
    { name: 'plan.md as a symlink out of the workspace', action: 'rm plan.md && ln -s /etc/hostname plan.md', listed: 'plan.md (added)' },
  ];

  for (const { name, action, listed } of cases) {
    it(
      name,
      async () => {
        const p = copyRepo(atExpand);
        const before = await snapshotId(p.dir);
        const result = p.cli(['plan', SLUG, ...EVIL], { EVIL_STEP: 'expand', EVIL_ACTION: action });
        expect(result.timedOut).toBe(false);
        expect(result.stdout).toBe('');
        const runDir = runDirOf(p);
        const workspace = path.relative(p.repo, path.join(runDir, SLUG));
        expect(result.stderr.split('\n')).toEqual([
          'Running planning.expand for alpha with evil-agent…',
          `Error: planning.expand failed: the agent changed paths the step may not write: ${listed}; ` +
            'planning.expand may write only plan.md and phase-<n>-<name>.md, and cairn writes manifest.json and .planning/ itself',
          expect.stringMatching(new RegExp(`^Nothing was published\\. The agent's output is in the local run log: cairn log --show \\S+\\. The workspace is kept: ${workspace.replace(/[.]/g, '\\.')}$`)),
          'Hint: Run `cairn plan alpha --agent command --agent-cmd evil-agent` to run the step again.',
          '',
        ]);
        expect(result.code).toBe(1);
        expect(await snapshotId(p.dir)).toBe(before);
        expect(manifestOf(p)['status']).toBe('planning');
        expect(readyItems(p)).toEqual(['plan alpha expand']);
        // The rejected run is kept for inspection, the agent's files in it.
        expect(existsSync(path.join(runDir, SLUG, 'plan.md'))).toBe(true);
      },
      TIMEOUT_MS,
    );
  }

  it(
    'lists every undeclared path, and says a review step may write no files',
    async () => {
      const p = copyRepo(atRevise);
      const result = p.cli(['plan', SLUG, ...EVIL], {
        FAKE_REVIEW: '1. still wrong',
        EVIL_STEP: 'revise',
        EVIL_ACTION: `printf '* -diff\\n' > .gitattributes && printf '%s\\n' '${FORGED_APPROVAL}' >> .planning/reviews.jsonl && rm .planning/sums`,
      });
      expect(result.stderr).toContain(
        'Error: planning.revise failed: the agent changed paths the step may not write: ' +
          '.gitattributes (added), .planning/reviews.jsonl (added), .planning/sums (removed); planning.revise may write only plan.md and phase-<n>-<name>.md',
      );
      expect(result.code).toBe(1);

      const review = copyRepo(atExpand);
      expect(review.cli(['plan', SLUG, ...AGENT]).code).toBe(0);
      const reviewed = review.cli(['plan', SLUG, ...EVIL], { EVIL_STEP: 'review', EVIL_ACTION: 'printf "# Better plan\\n" > plan.md' });
      expect(reviewed.stderr).toContain(
        'Error: planning.review failed: the agent changed paths the step may not write: plan.md (changed); planning.review may write no files (its output is what it prints)',
      );
      expect(reviewed.code).toBe(1);
    },
    TIMEOUT_MS * 2,
  );

  it(
    'a revise that renames, adds and removes phase docs (its declared outputs) is published',
    async () => {
      const p = copyRepo(atRevise);
      const result = p.cli(['plan', SLUG, ...EVIL], {
        EVIL_STEP: 'revise',
        EVIL_ACTION:
          "rm phase-2-remove-old.md && printf '# Phase 2\\n\\n## Precondition\\nPhase 1 is done.\\n\\n## Definition of Done\\nCallers moved.\\n' > phase-2-move-callers.md" +
          " && printf '# Phase 3\\n\\n## Precondition\\nCallers moved.\\n\\n## Definition of Done\\nOld API removed.\\n' > phase-3-remove-old.md",
      });
      expect(result.stderr).toBe(`Running planning.revise for alpha with evil-agent…\n${saveAgentHint(p.bin, 'evil-agent')}`);
      expect(result.stdout).toBe('Accepted planning.revise for alpha; next step: review-2.\nNext: cairn plan alpha --agent command --agent-cmd evil-agent\n');
      expect(result.code).toBe(0);
      expect(listTree(p.dir).filter((file) => file.startsWith('phase-'))).toEqual(['phase-1-add-api.md', 'phase-2-move-callers.md', 'phase-3-remove-old.md']);
      expect((manifestOf(p)['phases'] as { name: string }[]).map((phase) => phase.name)).toEqual(['add-api', 'move-callers', 'remove-old']);
      expect(workRuns(p)).toEqual([]);
    },
    TIMEOUT_MS,
  );
});

describe('manual runs: the workspace and the run must be the user\'s own', () => {
  function outputFile(text: string): string {
    const file = path.join(tempDir('cairn-out-'), 'out.md');
    writeFileSync(file, text);
    return file;
  }

  it(
    'accept refuses a prepared workspace whose manifest was edited',
    async () => {
      const p = copyRepo(fresh);
      const before = await snapshotId(p.dir);
      expect(p.cli(['plan', SLUG, '--agent', 'manual']).code).toBe(0);
      const workspace = path.join(runDirOf(p), SLUG);
      mkdirSync(path.join(workspace, 'approaches'));
      writeFileSync(path.join(workspace, 'approaches', 'by-hand.md'), '# By hand\n');
      writeFileSync(path.join(workspace, 'approaches', 'two-passes.md'), '# Two passes\n');
      const manifest = path.join(workspace, 'manifest.json');
      writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('"status": "planning"', '"status": "ready"'));
      const accepted = p.cli(['accept', SLUG, '--step', 'approaches', '--file', outputFile('Two approaches.\n')]);
      expect(accepted.stderr).toContain(
        'Error: planning.approaches failed: the prepared workspace changed paths the step may not write: manifest.json (changed); ' +
          'planning.approaches may write only approaches/<idea>.md, and cairn writes manifest.json and .planning/ itself\n',
      );
      expect(accepted.code).toBe(1);
      expect(await snapshotId(p.dir)).toBe(before);
      // The prepared run is kept as it was, to be fixed and accepted again.
      expect(existsSync(path.join(workspace, 'approaches', 'by-hand.md'))).toBe(true);
      writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('"status": "ready"', '"status": "planning"'));
      const again = p.cli(['accept', SLUG, '--step', 'approaches', '--file', outputFile('Two approaches.\n')]);
      expect(again.stdout).toBe('Accepted planning.approaches for alpha; next step: pick-best.\nNext: cairn plan alpha\n');
      expect(again.code).toBe(0);
      expect(listTree(p.dir)).toContain('approaches/by-hand.md');
    },
    TIMEOUT_MS,
  );

  /** Commits (force-added) a forged manual run with a far-future created_at whose workspace marks the plan ready. */
  async function commitForgedRun(p: PlanRepo): Promise<string> {
    const runId = '29991231T235959999-0123456789abcdef';
    const runDir = path.join(p.repo, '.planning', 'work', SLUG, runId);
    mkdirSync(runDir, { recursive: true });
    cpSync(p.dir, path.join(runDir, SLUG), { recursive: true });
    mkdirSync(path.join(runDir, SLUG, 'approaches'));
    writeFileSync(path.join(runDir, SLUG, 'approaches', 'attacker.md'), '# Attacker\n');
    const record = {
      agent: 'manual',
      base_snapshot_id: await snapshotId(p.dir),
      created_at: '2999-12-31T23:59:59.999+00:00',
      effort: null,
      mode: 'manual',
      model: null,
      operation: 'planning.approaches',
      prepared_tree: {},
      prompt_sha256: null,
      run_id: runId,
      schema_version: 1,
      seal: 'f'.repeat(64),
      slug: SLUG,
      step: 'approaches',
    };
    writeFileSync(path.join(runDir, 'run.json'), `${JSON.stringify(record, null, 2)}\n`);
    git(p.repo, ['add', '-f', '.planning/work']);
    commitAll(p.repo, 'a run nobody here prepared');
    return runId;
  }

  it(
    'accept ignores a committed run with a far-future created_at, uses the user\'s own run, and doctor reports it',
    async () => {
      const p = copyRepo(fresh);
      const forged = await commitForgedRun(p);

      const none = p.cli(['accept', SLUG, '--step', 'approaches', '--file', outputFile('Attack.\n')]);
      expect(none.stderr).toContain(
        `Error: No prepared manual run for 'alpha'. Ignored run .planning/work/alpha/${forged} (its files are tracked by git): ` +
          'cairn accepts only a run it prepared for this user on this machine.\n',
      );
      expect(none.code).not.toBe(0);
      expect(listTree(p.dir)).not.toContain('approaches/attacker.md');

      expect(p.cli(['plan', SLUG, '--agent', 'manual']).code).toBe(0);
      const own = workRuns(p).filter((run) => run !== forged);
      expect(own).toHaveLength(1);
      const workspace = path.join(p.repo, '.planning', 'work', SLUG, own[0] as string, SLUG);
      mkdirSync(path.join(workspace, 'approaches'));
      writeFileSync(path.join(workspace, 'approaches', 'by-hand.md'), '# By hand\n');
      writeFileSync(path.join(workspace, 'approaches', 'two-passes.md'), '# Two passes\n');
      const accepted = p.cli(['accept', SLUG, '--step', 'approaches', '--file', outputFile('Two approaches by hand.\n')]);
      expect(accepted.stdout).toBe('Accepted planning.approaches for alpha; next step: pick-best.\nNext: cairn plan alpha\n');
      expect(accepted.stderr).toContain(
        `Ignored run .planning/work/alpha/${forged} (its files are tracked by git): cairn accepts only a run it prepared for this user on this machine.`,
      );
      expect(accepted.code).toBe(0);
      const published = listTree(p.dir);
      expect(published).toContain('approaches/by-hand.md');
      expect(published).not.toContain('approaches/attacker.md');
      expect(manifestOf(p)['status']).toBe('planning');

      const doctor = p.cli(['doctor', '--all', '--format', 'json']);
      expect(doctor.code).toBe(1);
      const findings = (JSON.parse(doctor.stdout) as { findings: Record<string, unknown>[] }).findings.filter((f) => f['code'] === 'work-content-committed');
      expect(findings).toHaveLength(1);
      expect(findings[0]?.['slug']).toBe('.planning');
      expect(findings[0]?.['path']).toBe(path.join(p.repo, '.planning', 'work'));
      const tracked = git(p.repo, ['ls-files', '.planning/work']).trim().split('\n');
      expect(findings[0]?.['message']).toBe(
        `git tracks ${tracked.length} files under .planning/work/, which cairn ignores: ${tracked.map((file) => JSON.stringify(file)).join(', ')}`,
      );
    },
    TIMEOUT_MS * 2,
  );

  it(
    'accept ignores an uncommitted run whose record is not sealed with this user\'s key',
    async () => {
      const p = copyRepo(fresh);
      const forged = await commitForgedRun(p);
      git(p.repo, ['rm', '-r', '-q', '--cached', '.planning/work']);
      commitAll(p.repo, 'untrack the forged run');
      expect(git(p.repo, ['ls-files', '.planning/work']).trim()).toBe('');
      const none = p.cli(['accept', SLUG, '--step', 'approaches', '--file', outputFile('Attack.\n')]);
      expect(none.stderr).toContain(
        `Ignored run .planning/work/alpha/${forged} (its run record was not sealed by this user on this machine)`,
      );
      expect(none.code).not.toBe(0);
      expect(listTree(p.dir)).not.toContain('approaches/attacker.md');

      // A run directory named with terminal escapes is named quoted, never printed raw.
      const escaped = 'x\u001b]0;pwned\u0007';
      const escapedDir = path.join(p.repo, '.planning', 'work', SLUG, escaped);
      cpSync(path.join(p.repo, '.planning', 'work', SLUG, forged), escapedDir, { recursive: true });
      const escapedRecord = JSON.parse(readFileSync(path.join(escapedDir, 'run.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(path.join(escapedDir, 'run.json'), JSON.stringify({ ...escapedRecord, run_id: escaped }));
      const quoted = p.cli(['accept', SLUG, '--step', 'approaches', '--file', outputFile('Attack.\n')]);
      expect(quoted.stderr).toContain(`${JSON.stringify(`.planning/work/alpha/${escaped}`)} (its run record was not sealed by this user on this machine)`);
      expect(quoted.stderr).not.toContain('\u001b');
      rmSync(escapedDir, { recursive: true });

      // A run prepared with another user's key is not this user's either.
      expect(p.cli(['plan', SLUG, '--agent', 'manual']).code).toBe(0);
      const other = p.cli(['accept', SLUG, '--step', 'approaches', '--file', outputFile('x\n')], { XDG_CONFIG_HOME: tempDir('cairn-other-user-') });
      expect(other.stderr).toContain("Error: No prepared manual run for 'alpha'.");
      expect(other.code).not.toBe(0);
      expect(readdirSync(path.join(p.repo, '.planning', 'work', SLUG))).toHaveLength(2);
    },
    TIMEOUT_MS * 2,
  );
});
