// Publish latency benchmark: one publish of a small change to a migration of
// 10, 100 and 1,000 files, and to a migration among 1 and 10,000 siblings
// (latency must not grow with siblings: nothing in the transaction lists the
// live root). Runs the built library (`npm run build` first) in a temporary
// git repository, the way `cairn plan` publishes: the store's record of the
// last published snapshot lets cairn's own uncommitted publishes through.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { git, percentile } from './support.js';

const DIST = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const NOW = '2026-05-14T00:27:12.066-07:00';
function manifestText(slug) {
  return (
    `{\n  "awaiting_human_review": false,\n  "cooldown_until": null,\n  "created_at": "${NOW}",\n  "current_phase": "",\n` +
    `  "human_review_reason": null,\n  "last_touch": "${NOW}",\n  "name": "${slug}",\n  "phases": [],\n  "status": "planning",\n` +
    `  "wake_up_on": null\n}\n`
  );
}

function stateText(target) {
  return (
    `{\n  "completed_steps": [],\n  "feedback": [],\n  "final_decision": null,\n  "final_reason": null,\n  "next_step": "approaches",\n` +
    `  "review_findings": null,\n  "revision_base_step_counts": [],\n  "schema_version": 1,\n  "started_at": "${NOW}",\n` +
    `  "target": "${target}",\n  "updated_at": "${NOW}"\n}\n`
  );
}

/** Writes a minimal valid migration with `files` files in total. */
function writeMigration(dir, slug, files) {
  mkdirSync(path.join(dir, '.planning'), { recursive: true });
  writeFileSync(path.join(dir, 'manifest.json'), manifestText(slug));
  writeFileSync(path.join(dir, '.planning', 'state.json'), stateText(`bench ${slug}`));
  if (files > 2) mkdirSync(path.join(dir, 'notes'), { recursive: true });
  for (let i = 0; i < files - 2; i++) {
    writeFileSync(path.join(dir, 'notes', `note-${String(i).padStart(5, '0')}.md`), `# Note ${i}\n\n${'lorem ipsum dolor sit amet '.repeat(40)}\n`);
  }
}

/**
 * One benchmark case: a repository with `siblings` other migrations and
 * the target `bench` of `files` files. `publishOnce()` publishes a changed
 * copy and resolves to the milliseconds of `publish()` alone.
 */
function prepareCase(api, { files, siblings }) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-publish-'));
  const repo = path.join(root, 'repo');
  const live = path.join(repo, 'migrations');
  mkdirSync(path.join(repo, '.planning'), { recursive: true });
  writeFileSync(path.join(repo, '.planning', 'config.json'), '{\n  "migrations_dir": "migrations"\n}\n');
  writeFileSync(path.join(repo, '.planning', '.gitignore'), 'cairn.db\nwork/\n');
  for (let i = 0; i < siblings; i++) writeMigration(path.join(live, `sibling-${String(i).padStart(5, '0')}`), `sibling-${String(i).padStart(5, '0')}`, 2);
  writeMigration(path.join(live, 'bench'), 'bench', files);
  git(repo, ['init', '--quiet', '--initial-branch=main']);
  git(repo, ['add', '--all']);
  git(repo, ['commit', '--quiet', '-m', 'bench']);

  const recorder = new api.MemoryRecorder();
  let count = 0;
  return {
    async publishOnce() {
      const i = count++;
      const workspace = path.join(root, 'work', String(i), 'bench');
      cpSync(path.join(live, 'bench'), workspace, { recursive: true });
      writeFileSync(path.join(workspace, 'notes-changed.md'), `iteration ${i}\n`);
      const base = await api.snapshotId(path.join(live, 'bench'));
      const started = process.hrtime.bigint();
      const result = await api.publish({
        repoRoot: repo,
        liveRoot: live,
        slug: 'bench',
        workspaceDir: workspace,
        baseSnapshotId: base,
        validator: api.publishValidator('planning-snapshot'),
        operation: 'bench.publish',
        recorder,
      });
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (result.status !== 'published') throw new Error(`bench publish ${result.status}: ${result.reason}`);
      rmSync(path.dirname(workspace), { recursive: true, force: true });
      return elapsed;
    },
    dispose() {
      rmSync(root, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

function row({ files, siblings, iterations }, timings) {
  const sorted = [...timings].sort((a, b) => a - b);
  return {
    case: siblings > 0 ? `${files} files, ${siblings} siblings` : `${files} files`,
    files,
    siblings,
    iterations,
    median_ms: Number(percentile(sorted, 0.5).toFixed(1)),
    p90_ms: Number(percentile(sorted, 0.9).toFixed(1)),
    min_ms: Number(sorted[0].toFixed(1)),
  };
}

/**
 * Runs `cases` side by side: both repositories are built first, each gets
 * two unmeasured publishes, then the measured publishes alternate between
 * them, so a ratio between the cases is not skewed by the machine's load
 * changing, nor by the kernel still writing back a freshly built corpus.
 */
async function runInterleaved(api, cases) {
  const prepared = cases.map((benchCase) => prepareCase(api, benchCase));
  try {
    for (let i = 0; i < 2; i++) for (const entry of prepared) await entry.publishOnce();
    const timings = cases.map(() => []);
    const rounds = Math.max(...cases.map((benchCase) => benchCase.iterations));
    for (let i = 0; i < rounds; i++) {
      for (const [index, entry] of prepared.entries()) {
        if (i < cases[index].iterations) timings[index].push(await entry.publishOnce());
      }
    }
    return cases.map((benchCase, index) => row(benchCase, timings[index]));
  } finally {
    for (const entry of prepared) entry.dispose();
  }
}

/**
 * Publish latency for migrations of 10, 100 and 1,000 files and for one
 * migration among 1 and 10,000 siblings. Resolves to one row per case
 * (median, p90 and min milliseconds of `publish()`).
 */
export async function benchPublish(options = {}) {
  const api = {
    ...(await import(path.join(DIST, 'publish', 'index.js'))),
    ...(await import(path.join(DIST, 'fs', 'index.js'))),
    ...(await import(path.join(DIST, 'consistency', 'index.js'))),
  };
  const scale = options.iterations ?? 15;
  const sizeCases = [
    { files: 10, siblings: 0, iterations: scale },
    { files: 100, siblings: 0, iterations: scale },
    { files: 1000, siblings: 0, iterations: Math.max(3, Math.round(scale / 3)) },
  ];
  // Compared with each other (the goal is a ratio), so measured alternately.
  const siblingCases = [
    { files: 10, siblings: 1, iterations: scale },
    { files: 10, siblings: 10000, iterations: scale },
  ];
  const rows = [];
  const report = (caseRows) => {
    for (const caseRow of caseRows) {
      options.onRow?.(caseRow);
      rows.push(caseRow);
    }
  };
  for (const benchCase of sizeCases) report(await runInterleaved(api, [benchCase]));
  report(await runInterleaved(api, siblingCases));
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchPublish({
    onRow: (row) =>
      process.stdout.write(`${row.case.padEnd(26)} median ${String(row.median_ms).padStart(8)} ms   p90 ${String(row.p90_ms).padStart(8)} ms   min ${String(row.min_ms).padStart(8)} ms\n`),
  });
}
