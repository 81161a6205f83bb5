import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

/**
 * The largest size V8's new space reached in a run that keeps a tenth of
 * what it allocates (so scavenges see survivors and the young generation
 * grows) and yields between short stretches, as a scan does, with
 * `capYoungGeneration(capMb)` first, or nothing when `capMb` is null. The
 * largest, not the last: V8 shrinks the space again when the process
 * allocates slowly, as on a loaded machine.
 */
function largestNewSpace(capMb: number | null): number {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { capYoungGeneration } from ${JSON.stringify(path.join(REPO_ROOT, 'dist', 'util', 'index.js'))};
    ${capMb === null ? '' : `capYoungGeneration(${capMb} * 1024 * 1024);`}
    const kept = [];
    const newSpace = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size;
    let largest = newSpace();
    const churn = (round) => {
      largest = Math.max(largest, newSpace());
      for (let i = 0; i < 2000; i++) {
        const item = { round, i, text: 'item ' + i };
        if (i % 10 === 0) kept.push(item);
      }
      if (round < 1500) setImmediate(() => churn(round + 1));
      else process.stdout.write(String(Math.max(largest, newSpace())));
    };
    churn(0);
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  expect([result.status, result.stderr]).toEqual([0, '']);
  return Number(result.stdout);
}

describe('capYoungGeneration', () => {
  it('lets the young generation grow to the cap and no further', () => {
    const MB = 1024 * 1024;
    // Unheld, V8 grows it well past the cap.
    expect(largestNewSpace(null)).toBeGreaterThan(8 * MB);
    expect(largestNewSpace(8)).toBe(8 * MB);
    expect(largestNewSpace(4)).toBe(4 * MB);
  });
});
