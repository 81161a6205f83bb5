import path from 'node:path';
import type { Io } from '../app/index.js';
import { DIRTY_LIVE_MESSAGE, DIRTY_LIVE_REASON, dirtyLiveHint, type PublishResult } from '../publish/index.js';
import { asSentence, paint } from './output.js';

/* How new, phase done, accept and review show a publish result as text. */

/** The lines of a dry-run diff: files with sizes, then the transitions and checks. */
function dryRunLines(result: PublishResult, repoRoot: string): string[] {
  const lines: string[] = [];
  const diff = result.diff;
  if (diff !== undefined) {
    for (const entry of diff.added) lines.push(`  + ${entry.path} (${entry.size} bytes)`);
    for (const entry of diff.changed) lines.push(`  ~ ${entry.path} (${entry.oldSize ?? '?'} → ${entry.size} bytes)`);
    for (const entry of diff.removed) lines.push(`  - ${entry.path} (${entry.size} bytes)`);
    if (diff.added.length + diff.changed.length + diff.removed.length === 0) lines.push('  (no file changes)');
    lines.push(`State: ${diff.cursor.from ?? '(none)'} → ${diff.cursor.to ?? '(none)'}`);
    lines.push(`Status: ${diff.status.from ?? '(none)'} → ${diff.status.to ?? '(none)'}`);
  }
  const failed = result.invariants.filter((invariant) => !invariant.passed);
  lines.push(
    failed.length === 0
      ? `Invariants: all ${result.invariants.length} passed`
      : `Invariants: ${failed.length} of ${result.invariants.length} failed (${failed.map((invariant) => invariant.name).join(', ')})`,
  );
  const errors = result.findings.filter((finding) => finding.severity === 'error');
  if (errors.length > 0) lines.push(`Findings: ${errors.length} blocking`);
  else lines.push(result.status === 'published' ? 'Findings: none blocking' : 'Findings: none (the publish would be blocked for the reason above)');
  for (const dirty of result.dirtyPaths) lines.push(`Uncommitted: ${dirty}`);
  for (const finding of result.findings) {
    lines.push(`  ${finding.severity} ${finding.code}: ${path.relative(repoRoot, finding.path) || '.'}: ${finding.message}`);
  }
  for (const plan of result.recovered) lines.push(`Pending recovery: ${plan.action} ${plan.txDir}: ${plan.reason}`);
  return lines;
}

/**
 * A blocked or failed publish as its user reads it: the reason as a
 * sentence (a stale base in the user's terms, not as two snapshot ids), the
 * uncommitted paths, and what a failed publish left behind. The lock path
 * and the `key=value` lines of the library's message are left out.
 */
export function publishFailureText(result: PublishResult): string {
  const lines: string[] = [];
  if (result.staleBase) {
    lines.push(`${result.slug} changed after this change was prepared from it (an edit, a commit, a checkout or another cairn command); nothing was published.`);
  } else if (result.reason === DIRTY_LIVE_REASON) {
    lines.push(DIRTY_LIVE_MESSAGE);
  } else {
    lines.push(asSentence(result.reason, result.slug));
    if (result.dirtyPaths.length > 0) lines.push('Uncommitted changes:');
  }
  for (const dirty of result.dirtyPaths) lines.push(`  ${dirty}`);
  if (result.status === 'failed' && result.transactionDir !== null) {
    lines.push(`The interrupted publish is kept in ${result.transactionDir}; \`cairn recover\` finishes or rolls it back.`);
  }
  if (result.cleanupError !== null) lines.push(`Cleaning up failed: ${result.cleanupError}`);
  return lines.join('\n');
}

/** Prints the dry-run diff of a publish result. */
export function printDryRunLines(io: Io, result: PublishResult, repoRoot: string): void {
  io.stdout(`${dryRunLines(result, repoRoot).join('\n')}\n`);
}

/**
 * Prints a publish result as text: `successText` (with the dry-run diff for
 * a dry run), or a blocked or failed result's message on stderr.
 */
export function printPublishText(io: Io, result: PublishResult, successText: string, repoRoot: string): void {
  const ok = result.status === 'published';
  if (result.dryRun) {
    io.stdout(`${ok ? successText : paint(io, 'red', `Dry run: the publish would be ${result.status}: ${result.reason}`)}\n`);
    printDryRunLines(io, result, repoRoot);
    return;
  }
  if (!ok) {
    io.stderr(`Error: ${publishFailureText(result)}\n`);
    printDirtyHint(io, result, repoRoot);
    return;
  }
  io.stdout(`${successText}\n`);
  if (result.cleanupError !== null) io.stderr(`Warning: ${result.cleanupError}\nRun \`cairn recover\` to clean up.\n`);
}

/** The hint for a publish refused by uncommitted changes in the live migration. */
export function printDirtyHint(io: Io, result: PublishResult, repoRoot: string): void {
  if (result.dirtyPaths.length > 0) io.stderr(`Hint: ${dirtyLiveHint(repoRoot, result.liveDir, result.slug)}\n`);
}

/** The exit code of a publish: 0 published (or a dry run that would publish), 1 blocked or failed. */
export function publishExitCode(result: PublishResult): number {
  return result.status === 'published' ? 0 : 1;
}
