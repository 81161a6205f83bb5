import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotId } from '../../src/fs/digest.js';
import { AGENT } from '../support/agents.js';
import { commitAll } from '../support/git.js';
import { SLUG, copyRepo, newPlanRepo, readJson, stateOf, workRuns, type PlanRepo } from '../support/plan-repo.js';
import { tempDir, templateDir } from '../support/tmp.js';
import { listTree } from '../support/tree.js';
import { expectDoctorClean, expectV1Bytes, gitLog, storeRuns } from './support.js';

let fresh: PlanRepo;
let atFinal: PlanRepo;
beforeAll(() => {
  fresh = newPlanRepo(templateDir());
  atFinal = newPlanRepo(templateDir());
  expect(atFinal.cli(['plan', SLUG, ...AGENT, '--until', 'review', '--commit']).code).toBe(0);
});

/** Runs `plan --agent manual` and returns the prepared workspace (absolute) and run id. */
function prepare(p: PlanRepo): { workspace: string; runId: string; stderr: string; stdout: string } {
  const planned = p.cli(['plan', SLUG, '--agent', 'manual']);
  expect(planned.code).toBe(0);
  const runs = workRuns(p);
  expect(runs).toHaveLength(1);
  const runId = runs[0] as string;
  return { workspace: path.join(p.repo, '.planning', 'work', SLUG, runId, SLUG), runId, stderr: planned.stderr, stdout: planned.stdout };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes the approach files a manual `approaches` step must leave (2 to 4) into the prepared workspace. */
function writeApproaches(workspace: string, names: readonly string[] = ['by-hand', 'second-pass']): void {
  mkdirSync(path.join(workspace, 'approaches'), { recursive: true });
  for (const name of names) writeFileSync(path.join(workspace, 'approaches', `${name}.md`), `# ${name}\n\nOne careful pass.\n`);
}

function outputFile(text: string): string {
  const file = path.join(tempDir('cairn-out-'), 'out.md');
  writeFileSync(file, text);
  return file;
}

describe('manual mode: cairn plan --agent manual, then cairn accept', () => {
  it('prints the prompt and the next command, and accept publishes the files written in the workspace', async () => {
    const p = copyRepo(fresh);
    const before = await snapshotId(p.dir);
    const { workspace, runId, stdout, stderr } = prepare(p);
    expect(stdout).toMatch(/^# Planning stage: approaches\n/);
    expect(stdout).toContain('## Migration\nalpha\n');
    expect(stdout).toContain(`Migration directory: .planning/work/alpha/${runId}/alpha\n`);
    expect(stderr).toBe(
      'Manual step: planning.approaches for alpha is prepared.\n' +
        `Workspace: .planning/work/alpha/${runId}/alpha\n` +
        "Write the step's files there, save the step's output (what an agent would print) to a file, then run:\n" +
        '  cairn accept alpha --step approaches --file <output>\n',
    );
    expect(await snapshotId(p.dir)).toBe(before);
    const record = readJson(path.join(p.repo, '.planning', 'work', SLUG, runId, 'run.json'));
    expect(record).toEqual({
      agent: 'manual',
      base_snapshot_id: before,
      created_at: record['created_at'],
      effort: null,
      mode: 'manual',
      model: null,
      operation: 'planning.approaches',
      prompt_sha256: createHash('sha256').update(stdout).digest('hex'),
      run_id: runId,
      schema_version: 1,
      slug: SLUG,
      step: 'approaches',
      prepared_tree: {
        '.planning': 'dir 755',
        '.planning/state.json': `file 644 ${sha256(readFileSync(path.join(p.dir, '.planning', 'state.json')))}`,
        'manifest.json': `file 644 ${sha256(readFileSync(path.join(p.dir, 'manifest.json')))}`,
      },
      seal: record['seal'],
    });
    // The seal is the HMAC-SHA256, under the user's own key, of the record as written without its seal line.
    const keyFile = path.join(p.bin, 'xdg', 'cairn', 'run-seal.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex');
    const text = readFileSync(path.join(p.repo, '.planning', 'work', SLUG, runId, 'run.json'), 'utf8');
    const unsealed = text.replace(`  "seal": "${String(record['seal'])}",\n`, '');
    expect(unsealed).not.toBe(text);
    expect(record['seal']).toBe(createHmac('sha256', key).update(unsealed).digest('hex'));

    mkdirSync(path.join(workspace, 'approaches'));
    writeFileSync(path.join(workspace, 'approaches', 'by-hand.md'), '# By hand\n\nOne careful pass.\n');
    writeFileSync(path.join(workspace, 'approaches', 'two-passes.md'), '# Two passes\n\nRename first, then move.\n');
    const accepted = p.cli(['accept', SLUG, '--step', 'approaches', '--file', outputFile('Wrote two approaches by hand.\n')]);
    expect(accepted.stderr).toBe('');
    expect(accepted.stdout).toBe('Accepted planning.approaches for alpha; next step: pick-best.\nNext: cairn plan alpha\n');
    expect(accepted.code).toBe(0);
    expect(listTree(p.dir)).toEqual([
      '.planning/stages/approaches.stdout.md',
      '.planning/state.json',
      '.planning/sums',
      'approaches/by-hand.md',
      'approaches/two-passes.md',
      'manifest.json',
    ]);
    expect(readFileSync(path.join(p.dir, 'approaches', 'by-hand.md'), 'utf8')).toBe('# By hand\n\nOne careful pass.\n');
    const step = (stateOf(p)['completed_steps'] as Record<string, unknown>[])[0];
    expect(step?.['agent']).toBe('manual');
    expect(workRuns(p)).toEqual([]);
    const runs = storeRuns(p);
    expect(runs[0]).toMatchObject({ step: 'approaches', agent: 'manual', verdict: 'accepted', promptSha256: record['prompt_sha256'] });
    await expectV1Bytes(p);
  });

  it('--dry-run validates and checks the publish without using up the prepared run', async () => {
    const p = copyRepo(fresh);
    const { workspace } = prepare(p);
    writeApproaches(workspace);
    const before = await snapshotId(p.dir);
    const dry = p.cli(['accept', SLUG, '--step', 'approaches', '--file', outputFile('Nothing to add.\n'), '--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      'Dry run: the output would be accepted as planning.approaches for alpha, next step pick-best; nothing was changed.\n' +
        '  + .planning/stages/approaches.stdout.md (16 bytes)\n  + .planning/sums (104 bytes)\n' +
        '  + approaches/by-hand.md (29 bytes)\n  + approaches/second-pass.md (33 bytes)\n  ~ .planning/state.json (',
    );
    expect(dry.stdout).toContain('State: approaches → pick-best\n');
    expect(await snapshotId(p.dir)).toBe(before);
    expect(existsSync(workspace)).toBe(true);
    expect(existsSync(path.join(path.dirname(workspace), 'candidate'))).toBe(false);
    expect(storeRuns(p)).toEqual([]);
    expect(p.cli(['accept', SLUG, '--step', 'approaches', '--file', outputFile('Nothing to add.\n')]).code).toBe(0);
  });

  it('reads the output from stdin with "-" and commits with --commit', () => {
    const p = copyRepo(fresh);
    writeApproaches(prepare(p).workspace);
    const accepted = p.cli(['accept', SLUG, '--step', 'approaches', '-', '--commit'], {}, 'Nothing to add.\n');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(/^Accepted planning\.approaches for alpha; next step: pick-best\.\nCommitted [0-9a-f]{12}: cairn: alpha: planning\.approaches\n/);
    expect(gitLog(p)[0]).toBe('cairn: alpha: planning.approaches');
    expect(readFileSync(path.join(p.dir, '.planning', 'stages', 'approaches.stdout.md'), 'utf8')).toBe('Nothing to add.\n');
  });

  it('refuses without a prepared run, for another step, and without an output', () => {
    const p = copyRepo(fresh);
    const none = p.cli(['accept', SLUG, '--step', 'approaches', '--file', outputFile('x\n')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      "Error: No prepared manual run for 'alpha'.\n" +
        'Hint: Run `cairn plan alpha --agent manual` first: it prepares the workspace and prints the prompt for the next step.\n',
    );
    prepare(p);
    const other = p.cli(['accept', SLUG, '--step', 'expand', '--file', outputFile('x\n')]);
    expect(other.code).toBe(2);
    expect(other.stderr).toBe(
      "Error: The prepared run of 'alpha' is for step 'approaches', not 'expand'.\n" +
        'Hint: Run `cairn accept alpha --step approaches --file <output>`, or `cairn plan alpha --agent manual` to prepare the current step again.\n',
    );
    const unknown = p.cli(['accept', SLUG, '--step', 'polish', '--file', outputFile('x\n')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Error: Unknown planning step 'polish'\n");
    const noOutput = p.cli(['accept', SLUG, '--step', 'approaches']);
    expect(noOutput.code).toBe(2);
    expect(noOutput.stderr).toBe("Error: No step output given: pass --file <path>, or '-' to read it from stdin (or pipe it in).\n");
    expect(workRuns(p)).toHaveLength(1);
  });

  it('is blocked as stale when the live migration changed after plan, and keeps the prepared workspace', async () => {
    const p = copyRepo(fresh);
    const { workspace } = prepare(p);
    writeApproaches(workspace);
    const base = await snapshotId(p.dir);
    writeFileSync(path.join(p.dir, 'notes.md'), 'a note committed meanwhile\n');
    commitAll(p.repo, 'edit the live migration');
    const current = await snapshotId(p.dir);
    const accepted = p.cli(['accept', SLUG, '--step', 'approaches', '--file', outputFile('late output\n')]);
    expect(accepted.code).toBe(1);
    expect(accepted.stdout).toBe('');
    expect(current).not.toBe(base);
    expect(accepted.stderr).toContain(
      'Error: alpha changed while planning.approaches was running: its files were changed outside this run (an edit, a commit or a git checkout). ' +
        'Nothing was published; run `cairn plan alpha` again to continue from the current plan.\n' +
        `This run's workspace is kept for inspection: `,
    );
    expect(accepted.stderr).toContain('Hint: Run `cairn plan alpha`; `cairn status alpha` shows where the plan is now.\n');
    expect(await snapshotId(p.dir)).toBe(current);
    expect(stateOf(p)['next_step']).toBe('approaches');
    expect(existsSync(workspace)).toBe(true);
    expect(existsSync(path.join(path.dirname(workspace), 'candidate'))).toBe(false);
  });

  it('says which step another run published when a manual step goes stale, and what to run', () => {
    const p = copyRepo(fresh);
    const { workspace } = prepare(p);
    mkdirSync(path.join(workspace, 'approaches'));
    writeFileSync(path.join(workspace, 'approaches', 'by-hand.md'), '# By hand\n\nOne careful pass.\n');
    writeFileSync(path.join(workspace, 'approaches', 'in-two.md'), '# In two\n\nTwo smaller passes.\n');
    // The manual run holds no lease between plan and accept, so an agent run may publish the step meanwhile.
    expect(p.cli(['plan', SLUG, ...AGENT]).code).toBe(0);
    const accepted = p.cli(['accept', SLUG, '--step', 'approaches', '--file', outputFile('Wrote two approaches by hand.\n')]);
    expect(accepted.stderr).toContain(
      'Error: alpha changed while planning.approaches was running: another run accepted step approaches (next step: pick-best). ' +
        'Nothing was published; run `cairn plan alpha` again to continue from the current plan.\n',
    );
    expect(accepted.stderr).toContain('Hint: Run `cairn plan alpha`; `cairn status alpha` shows where the plan is now.\n');
    expect(accepted.code).toBe(1);
    expect(stateOf(p)['next_step']).toBe('pick-best');
  });

  it('refuses output the step does not accept, keeping the workspace for a corrected accept', async () => {
    const p = copyRepo(atFinal);
    const { workspace } = prepare(p);
    const before = await snapshotId(workspace);
    const rejected = p.cli(['accept', SLUG, '--step', 'final-review', '--file', outputFile('Looks fine to me.\n')]);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain('Error: planning.final-review failed: Final review produced no output\n');
    expect(rejected.stderr).toContain(
      'Hint: Correct the output (or the files in the workspace) and run `cairn accept alpha --step final-review --file <output>` again.\n',
    );
    expect(await snapshotId(workspace)).toBe(before);
    expect(storeRuns(p)[0]).toMatchObject({ step: 'final-review', agent: 'manual', verdict: 'rejected' });

    const accepted = p.cli(['accept', SLUG, '--step', 'final-review', '--file', outputFile('final-decision: approve-auto — ready to go\n')]);
    expect(accepted.stdout).toBe(
      'Accepted planning.final-review for alpha: approve-auto — ready to go\nalpha is ready: run its first phase with `cairn run alpha`.\nNext: cairn ready\n',
    );
    expect(accepted.code).toBe(0);
    expect(stateOf(p)['next_step']).toBe('terminal-ready');
    expect(workRuns(p)).toEqual([]);
    expectDoctorClean(p);
  });

  it('refuses an approaches output the workspace does not back, then accepts it once the workspace is complete', async () => {
    const p = copyRepo(fresh);
    const { workspace } = prepare(p);
    writeApproaches(workspace, ['only']);
    const before = await snapshotId(p.dir);
    const output = outputFile('Wrote the approaches.\n');
    const rejected = p.cli(['accept', SLUG, '--step', 'approaches', '--file', output]);
    expect(rejected.stdout).toBe('');
    expect(rejected.stderr).toBe(
      'Error: planning.approaches failed: the workspace has 1 approach file (approaches/only.md); the step needs 2 to 4 approaches/*.md files, none of them empty\n' +
        `Nothing was published. The agent's output is in the local run log: cairn log --show ${storeRuns(p)[0]?.id}. ` +
        `The workspace is kept: ${path.relative(p.repo, workspace)}\n` +
        'Hint: Correct the output (or the files in the workspace) and run `cairn accept alpha --step approaches --file <output>` again.\n',
    );
    expect(rejected.code).toBe(1);
    expect(await snapshotId(p.dir)).toBe(before);
    expect(storeRuns(p)[0]).toMatchObject({ step: 'approaches', agent: 'manual', verdict: 'rejected' });

    writeFileSync(path.join(workspace, 'approaches', 'empty.md'), '\n');
    const empty = p.cli(['accept', SLUG, '--step', 'approaches', '--file', output]);
    expect(empty.stderr).toContain(
      'Error: planning.approaches failed: approaches/empty.md is empty; the workspace has 1 approach file (approaches/only.md); ' +
        'the step needs 2 to 4 approaches/*.md files, none of them empty\n',
    );
    expect(empty.code).toBe(1);

    writeApproaches(workspace, ['empty']);
    const accepted = p.cli(['accept', SLUG, '--step', 'approaches', '--file', output]);
    expect(accepted.stdout).toBe('Accepted planning.approaches for alpha; next step: pick-best.\nNext: cairn plan alpha\n');
    expect(accepted.code).toBe(0);
  });

  it('an empty review is refused, and "no findings" inside a sentence is a finding', () => {
    const p = copyRepo(fresh);
    expect(p.cli(['plan', SLUG, ...AGENT, '--until', 'expand', '--commit']).code).toBe(0);
    prepare(p);
    const empty = p.cli(['accept', SLUG, '--step', 'review', '-'], {}, '\n  \n');
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toContain(
      'Error: planning.review failed: the review printed nothing; a review prints numbered findings, or the line `no findings.` on its own when the plan is clear\n',
    );
    expect(empty.code).toBe(1);
    expect(stateOf(p)['next_step']).toBe('review');

    const review = '1. phase-1-add-api.md: there are no findings about naming, but the Definition of Done is not checkable.\n2. plan.md: rollback missing.\n';
    // Piped in without '-': read all the same.
    const findings = p.cli(['accept', SLUG, '--step', 'review'], {}, review);
    expect(findings.stdout).toBe('Accepted planning.review (findings) for alpha; next step: revise.\nNext: cairn plan alpha\n');
    expect(findings.code).toBe(0);
    expect(stateOf(p)['next_step']).toBe('revise');
  });

  it('plan --agent manual --format json carries the prompt and the accept command', () => {
    const p = copyRepo(fresh);
    const planned = p.cli(['plan', SLUG, '--agent', 'manual', '--format', 'json']);
    expect(planned.code).toBe(0);
    expect(planned.stderr).toBe('');
    const json = JSON.parse(planned.stdout) as { schema_version: number; steps: Record<string, unknown>[] };
    expect(json.schema_version).toBe(1);
    const step = json.steps[0] as Record<string, unknown>;
    expect(step['status']).toBe('manual');
    expect(step['accept_command']).toBe('cairn accept alpha --step approaches --file <output>');
    expect(step['workspace']).toBe(`.planning/work/alpha/${workRuns(p)[0]}/alpha`);
    expect(step['prompt']).toEqual(expect.stringContaining('## Migration\nalpha\n'));
    expect(step['prompt_sha256']).toBe(createHash('sha256').update(step['prompt'] as string).digest('hex'));
  });
});
