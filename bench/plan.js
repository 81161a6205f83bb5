// Planning step overhead benchmark: one `plan` step (base snapshot, dirty
// check, workspace copy, prompt, agent process, acceptance, publish, cleanup)
// with a fake agent that answers at once, minus the agent's own run time as
// the runner measured it, in milliseconds. Runs the built library (`npm run
// build` first) on a temporary git repository, the way `cairn plan` does.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { git, percentile } from './support.js';

const DIST = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
/**
 * Runs the `approaches` step of `iterations` fresh migrations (default 20),
 * each through `planNextStep` with an instant shell agent, and resolves to
 * the overhead per step excluding the agent's run time:
 * `{ iterations, median_ms, p90_ms, min_ms, agent_median_ms }`.
 * Prints one line unless `options.quiet`.
 */
export async function benchPlanStep(options = {}) {
  const iterations = options.iterations ?? 20;
  const { MemoryRecorder } = await import(path.join(DIST, 'publish', 'index.js'));
  const { createMigration } = await import(path.join(DIST, 'planning', 'new-migration.js'));
  const { planNextStep } = await import(path.join(DIST, 'planning', 'run-plan.js'));
  const root = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-plan-'));
  try {
    const repo = path.join(root, 'repo');
    const live = path.join(repo, 'migrations');
    mkdirSync(path.join(repo, '.planning'), { recursive: true });
    writeFileSync(path.join(repo, '.planning', 'config.json'), '{\n  "migrations_dir": "migrations"\n}\n');
    writeFileSync(path.join(repo, '.planning', '.gitignore'), 'cairn.db\nwork/\n');
    const agent = path.join(root, 'instant-agent');
    writeFileSync(agent, '#!/bin/sh\ncat > /dev/null\nmkdir -p "$CAIRN_WORKSPACE/approaches"\necho "# A" > "$CAIRN_WORKSPACE/approaches/a.md"\necho "# B" > "$CAIRN_WORKSPACE/approaches/b.md"\necho "Wrote two approaches."\n');
    chmodSync(agent, 0o755);
    const recorder = new MemoryRecorder();
    const slugs = [];
    for (let i = 0; i < iterations; i++) {
      const slug = `bench-${String(i).padStart(3, '0')}`;
      const created = await createMigration({ repoRoot: repo, liveRoot: live, slug, target: `bench target ${i}`, recorder });
      if (created.result.status !== 'published') throw new Error(`bench setup: ${created.result.reason}`);
      slugs.push(slug);
    }
    git(repo, ['init', '--quiet', '--initial-branch=main']);
    git(repo, ['add', '--all']);
    git(repo, ['commit', '--quiet', '-m', 'bench']);

    const settings = { agent: 'command', model: null, effort: null, agentCmd: agent, sources: { agent: 'flag', model: null, effort: null, agentCmd: 'flag' } };
    const overheads = [];
    const agentTimes = [];
    for (const slug of slugs) {
      let agentMs = 0;
      const log = { warnings: [], runStarted: () => 'bench', runEnded: (_id, end) => (agentMs = end.durationMs ?? 0), event: () => {} };
      const ctx = { repoRoot: repo, liveRoot: live, slug, reviewPolicy: 'when-flagged', lockTimeoutMs: 30_000, recorder, log };
      const started = process.hrtime.bigint();
      const result = await planNextStep(ctx, { agent: { settings, timeoutMs: 60_000, silenceTimeoutMs: 0 }, taste: null });
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (result.status !== 'published') throw new Error(`bench plan ${result.status}: ${result.reason}`);
      overheads.push(elapsed - agentMs);
      agentTimes.push(agentMs);
    }
    const sorted = [...overheads].sort((a, b) => a - b);
    const row = {
      iterations,
      median_ms: Number(percentile(sorted, 0.5).toFixed(1)),
      p90_ms: Number(percentile(sorted, 0.9).toFixed(1)),
      min_ms: Number(sorted[0].toFixed(1)),
      agent_median_ms: Number(percentile([...agentTimes].sort((a, b) => a - b), 0.5).toFixed(1)),
    };
    if (options.quiet !== true) {
      process.stdout.write(
        `plan step overhead (excluding the agent)  median ${row.median_ms} ms   p90 ${row.p90_ms} ms   min ${row.min_ms} ms   (agent itself: median ${row.agent_median_ms} ms)\n`,
      );
    }
    return row;
  } finally {
    rmSync(root, { recursive: true, force: true, maxRetries: 5 });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchPlanStep();
}
