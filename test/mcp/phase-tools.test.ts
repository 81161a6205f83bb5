import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../support/git.js';
import { runRepo } from '../support/run-repo.js';
import { startMcp, structuredOf, textOf } from './support.js';

/* next_phase and finish_phase: an agent driving cairn over MCP carries a phase out itself. */

const PHASE_FILE = 'phase-1-docs-and-cleanup.md';

describe('MCP next_phase and finish_phase', () => {
  it('prepares a worktree, then validates, commits and fast-forwards main', async () => {
    const r = runRepo();
    const head = git(r.repo, ['rev-parse', 'HEAD']).trim();
    const mcp = await startMcp(r.repo);
    const prepared = structuredOf(await mcp.call('next_phase', { slug: r.slug, validate: 'sh check.sh' }));
    expect(prepared['status']).toBe('prepared');
    expect(prepared['phase']).toBe('docs-and-cleanup');
    const worktree = prepared['worktree'] as string;
    expect(worktree.startsWith(path.join(r.repo, '.planning', 'work', '.execute'))).toBe(true);
    expect(prepared['prompt']).toContain('BEGIN_CONTINUOUS_REFACTORING_STATUS');
    expect(prepared['branch']).toBe(`cairn/${r.slug}/docs-and-cleanup`);
    // Nothing in the user's checkout moved.
    expect(git(r.repo, ['rev-parse', 'HEAD']).trim()).toBe(head);
    expect(git(r.repo, ['status', '--porcelain'])).toBe('');

    appendFileSync(path.join(worktree, 'src', 'app.txt'), 'done by the MCP client\n');
    const report = 'Done.\nBEGIN_CONTINUOUS_REFACTORING_STATUS\nsummary: s\ncommit_rationale: the app records the phase\nEND_CONTINUOUS_REFACTORING_STATUS\n';
    const finished = structuredOf(await mcp.call('finish_phase', { slug: r.slug, run_id: prepared['run_id'], report }));
    const phase = finished['phase'] as Record<string, unknown>;
    expect(phase['status']).toBe('integrated');
    expect(git(r.repo, ['log', '-1', '--format=%s%n%n%b']).trim()).toBe(
      `cairn: migration/${r.slug}/${PHASE_FILE}\n\nWhy:\nthe app records the phase\n\nValidation:\nsh check.sh`,
    );
    expect(readFileSync(path.join(r.repo, 'src', 'app.txt'), 'utf8')).toBe('app v1\ndone by the MCP client\n');
    expect(existsSync(worktree)).toBe(false);
    expect(git(r.repo, ['branch', '--list', 'cairn/*']).trim()).toBe('');
  });

  it('refuses a red change, keeps the worktree for another try, and abandons it on request', async () => {
    const r = runRepo();
    const head = git(r.repo, ['rev-parse', 'HEAD']).trim();
    const mcp = await startMcp(r.repo);
    const prepared = structuredOf(await mcp.call('next_phase', { slug: r.slug, validate: 'sh check.sh' }));
    const worktree = prepared['worktree'] as string;
    appendFileSync(path.join(worktree, 'src', 'app.txt'), 'broken\n');
    const red = await mcp.call('finish_phase', { slug: r.slug, run_id: prepared['run_id'] });
    expect(red.isError).toBe(true);
    expect(textOf(red)).toContain('the validation command failed (exit 1)');
    expect(existsSync(worktree)).toBe(true);
    const gone = structuredOf(await mcp.call('finish_phase', { slug: r.slug, run_id: prepared['run_id'], abandon: true }));
    expect((gone['phase'] as Record<string, unknown>)['reason']).toContain('abandoned');
    expect(existsSync(worktree)).toBe(false);
    expect(git(r.repo, ['rev-parse', 'HEAD']).trim()).toBe(head);
    expect(git(r.repo, ['branch', '--list', 'cairn/*']).trim()).toBe('');
  });

  it('never prepares a migration that awaits a human review', async () => {
    const r = runRepo();
    const manifest = path.join(r.dir(r.slug), 'manifest.json');
    const text = readFileSync(manifest, 'utf8').replace('"awaiting_human_review": false', '"awaiting_human_review": true').replace('"human_review_reason": null', '"human_review_reason": "check the rollout"');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(manifest, text);
    git(r.repo, ['commit', '-qam', 'flag for review']);
    const mcp = await startMcp(r.repo);
    const refused = await mcp.call('next_phase', { slug: r.slug, validate: 'sh check.sh' });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('is awaiting human review: check the rollout; no phase may run before it is reviewed');
    expect(existsSync(path.join(r.repo, '.planning', 'work', '.execute'))).toBe(false);
  });
});
