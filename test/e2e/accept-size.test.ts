import { execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotId } from '../../src/fs/digest.js';
import { git } from '../support/git.js';
import { SLUG, copyRepo, newPlanRepo, stateOf, workRuns, type PlanRepo } from '../support/plan-repo.js';
import { tempDir, templateDir } from '../support/tmp.js';
import { listTree } from '../support/tree.js';
import { CLI } from '../support/cli.js';

/*
 * `cairn accept` takes at most as much step output as cairn keeps of an
 * agent's output (16 MiB), from a regular file or stdin; anything larger,
 * or a file that is not a regular file, is refused before anything is
 * published.
 */

const CAP = 16 * 1024 * 1024;
const SEVENTEEN_MIB = 17 * 1024 * 1024;
const HINT = "Hint: Give the step's output only (its summary, findings or decision): the files the step writes belong in the workspace.\n";

let prepared: PlanRepo;
beforeAll(() => {
  prepared = newPlanRepo(templateDir());
  expect(prepared.cli(['plan', SLUG, '--agent', 'manual']).code).toBe(0);
});

/** What a refused accept must leave as it was: the live migration, the prepared run, and the repository's files. */
async function stateOfRepo(p: PlanRepo): Promise<{ snapshot: string; runs: string[]; files: string[]; status: string }> {
  return {
    snapshot: await snapshotId(p.dir),
    runs: workRuns(p),
    files: listTree(p.repo).filter((entry) => !entry.startsWith('.git/')),
    status: git(p.repo, ['status', '--porcelain']),
  };
}

/**
 * `cairn accept … -` fed `bytes` bytes on stdin. cairn stops reading at the
 * cap and exits, so the rest of the write fails with EPIPE, which is fine.
 */
function acceptFromStdin(p: PlanRepo, bytes: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'accept', SLUG, '--step', 'approaches', '-'], { cwd: p.repo, env: p.env(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.on('error', () => {});
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('cairn accept - did not finish within 60 s'));
    }, 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(Buffer.alloc(bytes, 'x'));
  });
}

describe('cairn accept: the step output cap', () => {
  it('refuses a 17 MiB --file with exit 2, naming the size and the cap; nothing is published', async () => {
    const p = copyRepo(prepared);
    const before = await stateOfRepo(p);
    const file = path.join(tempDir('cairn-out-'), 'huge.md');
    writeFileSync(file, Buffer.alloc(SEVENTEEN_MIB, 'x'));
    const out = p.cli(['accept', SLUG, '--step', 'approaches', '--file', file]);
    expect(out.timedOut).toBe(false);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe(
      `Error: The step output from ${file} is ${SEVENTEEN_MIB} bytes; cairn accepts at most ${CAP} bytes (16 MiB) of one step's output, as it keeps of an agent's output. Nothing was published.\n` +
        HINT,
    );
    expect(await stateOfRepo(p)).toEqual(before);
    expect(stateOf(p)['next_step']).toBe('approaches');
  });

  it('refuses more than 16 MiB on stdin the same way', async () => {
    const p = copyRepo(prepared);
    const before = await stateOfRepo(p);
    const out = await acceptFromStdin(p, SEVENTEEN_MIB);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe(
      `Error: The step output from stdin is more than ${CAP} bytes; cairn accepts at most ${CAP} bytes (16 MiB) of one step's output, as it keeps of an agent's output. Nothing was published.\n` +
        HINT,
    );
    expect(await stateOfRepo(p)).toEqual(before);
  });

  it('refuses a FIFO as --file at once instead of blocking on it', async () => {
    const p = copyRepo(prepared);
    const before = await stateOfRepo(p);
    const fifo = path.join(tempDir('cairn-fifo-'), 'output.md');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    const out = p.cli(['accept', SLUG, '--step', 'approaches', '--file', fifo]);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(out.timedOut).toBe(false);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(`Error: Could not read the step output ${fifo}: ${fifo} is a FIFO, not a regular file; cairn reads only regular files\n`);
    expect(existsSync(fifo)).toBe(true);
    expect(await stateOfRepo(p)).toEqual(before);
  });
});
