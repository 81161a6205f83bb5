import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acceptStepOutput } from '../../src/planning/accept-step.js';
import type { Step } from '../../src/migration/graph.js';
import { fixtureWorkspace } from './support.js';

const NOW = '2026-06-01T10:00:00.000+00:00';

function accept(slug: string, step: Step, stdout: string, extra: { reviewPolicy?: 'always' } = {}) {
  const ws = fixtureWorkspace(slug);
  return {
    ws,
    result: acceptStepOutput({ repoRoot: ws.repo, slug, liveDir: ws.liveDir, workspaceDir: ws.workspaceDir, step, stdout, agent: 'codex', model: 'm1', effort: 'low', now: NOW, ...extra }),
  };
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

describe('acceptStepOutput', () => {
  it('accepts approaches: stage file, state, sums recording earlier outputs too', async () => {
    const slug = 'src-notifications-validators-rb-20260426T192033';
    const ws = fixtureWorkspace(slug);
    mkdirSync(path.join(ws.workspaceDir, 'approaches'));
    for (const name of ['adapter', 'big-bang', 'strangler']) writeFileSync(path.join(ws.workspaceDir, 'approaches', `${name}.md`), `# ${name}\n`);
    const { state, outcome, stageFile, terminal } = await acceptStepOutput({
      repoRoot: ws.repo,
      slug,
      liveDir: ws.liveDir,
      workspaceDir: ws.workspaceDir,
      step: 'approaches',
      stdout: 'three approaches written\n',
      agent: 'codex',
      model: 'm1',
      effort: 'low',
      now: NOW,
    });
    expect(outcome).toBe('completed');
    expect(stageFile).toBe('.planning/stages/approaches.stdout.md');
    expect(terminal).toBeNull();
    expect(state.next_step).toBe('pick-best');
    expect(readFileSync(path.join(ws.workspaceDir, stageFile), 'utf8')).toBe('three approaches written\n');
    const saved = readJson(path.join(ws.workspaceDir, '.planning', 'state.json'));
    expect(saved.completed_steps.at(-1)).toEqual({
      agent: 'codex',
      completed_at: NOW,
      effort: 'low',
      model: 'm1',
      name: 'approaches',
      outcome: 'completed',
      outputs: { stdout: `migrations/${slug}/.planning/stages/approaches.stdout.md` },
    });
    expect(readFileSync(path.join(ws.workspaceDir, '.planning', 'sums'), 'utf8')).toBe(
      `${sha('three approaches written\n')}  .planning/stages/approaches.stdout.md\n`,
    );
    expect(readJson(path.join(ws.workspaceDir, 'manifest.json')).last_touch).toBe(NOW);
    expect(existsSync(path.join(ws.liveDir, '.planning', 'stages', 'approaches.stdout.md'))).toBe(false);
  });

  it('rediscovers phases after expand and records every earlier output in a new sums file', async () => {
    const slug = 'remove-global-state-in-ingest-20260422T004017';
    const ws = fixtureWorkspace(slug);
    writeFileSync(path.join(ws.workspaceDir, 'plan.md'), '# Plan\n');
    writeFileSync(path.join(ws.workspaceDir, 'phase-1-prepare.md'), '## Precondition\nnothing pending\n\n## Definition of Done\ndone\n');
    writeFileSync(path.join(ws.workspaceDir, 'phase-2-switch.md'), '## Precondition\nphase 1 merged\n\n## Definition of Done\nswitched\nrequired_effort: high\n');
    const { manifest, state } = await acceptStepOutput({ repoRoot: ws.repo, slug, liveDir: ws.liveDir, workspaceDir: ws.workspaceDir, step: 'expand', stdout: 'expanded\n', now: NOW });
    expect(state.next_step).toBe('review');
    expect(manifest.phases.map((phase) => [phase.name, phase.file, phase.precondition, phase.required_effort])).toEqual([
      ['prepare', 'phase-1-prepare.md', 'nothing pending', null],
      ['switch', 'phase-2-switch.md', 'phase 1 merged', 'high'],
    ]);
    expect(manifest.current_phase).toBe('prepare');
    const sums = readFileSync(path.join(ws.workspaceDir, '.planning', 'sums'), 'utf8').trimEnd().split('\n');
    expect(sums.map((line) => line.slice(66))).toEqual([
      '.planning/stages/approaches.stdout.md',
      '.planning/stages/pick-best.stdout.md',
      '.planning/stages/expand.stdout.md',
    ]);
    for (const line of sums) {
      expect(line.slice(0, 64)).toBe(sha(readFileSync(path.join(ws.workspaceDir, line.slice(66)), 'utf8')));
    }
  });

  it('routes review findings to revise and a clear review to final-review', async () => {
    const slug = 'extract-pagination-helpers-in-reports-20260421T081406';
    const findings = await accept(slug, 'review', '1. Phase 2 conflates precondition and done.\n').result;
    expect([findings.outcome, findings.state.next_step]).toEqual(['findings', 'revise']);
    expect(findings.state.review_findings).toBe(`migrations/${slug}/.planning/stages/review.stdout.md`);
    const clear = await accept(slug, 'review', 'Checked every phase.\nNo findings.\n').result;
    expect([clear.outcome, clear.state.next_step, clear.state.review_findings]).toEqual(['clear', 'final-review', null]);
  });

  it('fails review-2 that still has findings and writes nothing', async () => {
    const slug = 'deduplicate-logging-calls-in-scheduler-20260313T034302';
    const { ws, result } = accept(slug, 'review-2', '1. still conflated\n');
    await expect(result).rejects.toThrow('planning.review-2 failed: revised plan still has findings');
    expect(readdirSync(path.join(ws.workspaceDir, '.planning', 'stages')).sort()).toEqual(readdirSync(path.join(ws.liveDir, '.planning', 'stages')).sort());
  });

  it('applies each final decision', async () => {
    const slug = 'migrate-env-var-access-in-inventory-20260423T212953';
    const auto = await accept(slug, 'final-review', 'Looks good.\nfinal-decision: approve-auto — small and reversible\n').result;
    expect(auto.terminal).toEqual({ outcome: 'ready', reason: 'small and reversible' });
    expect([auto.manifest.status, auto.manifest.awaiting_human_review, auto.state.next_step]).toEqual(['ready', false, 'terminal-ready']);

    const human = await accept(slug, 'final-review', 'final-decision: approve-needs-human - touches billing\n').result;
    expect(human.terminal).toEqual({ outcome: 'awaiting_human_review', reason: 'touches billing' });
    expect([human.manifest.status, human.manifest.awaiting_human_review, human.manifest.human_review_reason]).toEqual(['ready', true, 'touches billing']);

    const always = await accept(slug, 'final-review', 'final-decision: approve-auto — fine\n', { reviewPolicy: 'always' }).result;
    expect(always.manifest.awaiting_human_review).toBe(true);
    expect(always.manifest.human_review_reason).toBe('review policy is "always": fine');

    const { ws, result } = accept(slug, 'final-review', 'final-decision: reject — churn only\nthanks\n');
    const reject = await result;
    expect([reject.manifest.status, reject.state.next_step, reject.state.final_reason]).toEqual(['skipped', 'terminal-skipped', 'churn only']);
    const target = reject.state.target;
    expect(readFileSync(path.join(ws.workspaceDir, 'intentional-skip.md'), 'utf8')).toBe(
      `# Intentional Skip: ${slug}\n\n## Target\n${target}\n\n## Blocker Reason\nchurn only\n`,
    );

    await expect(accept(slug, 'final-review', 'I think it is fine\n').result).rejects.toThrow(
      'planning.final-review failed: Final review produced no output',
    );
  });

  it('refuses output for a step that is not next', async () => {
    const slug = 'extract-pagination-helpers-in-reports-20260421T081406';
    await expect(accept(slug, 'expand', 'x\n').result).rejects.toThrow(`Migration '${slug}' is at step 'review', not 'expand'.`);
  });
});
