import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach } from 'vitest';

const perTest: string[] = [];
const perFile: string[] = [];

afterEach(() => removeAll(perTest));
afterAll(() => removeAll(perFile));

/** A fresh temp directory (its real path), removed after the current test. */
export function tempDir(prefix = 'cairn-test-'): string {
  const dir = makeDir(prefix);
  perTest.push(dir);
  return dir;
}

/**
 * A fresh temp directory (its real path) for something built once and
 * shared, such as a template repository made in `beforeAll`: removed after
 * every test of the file has run.
 */
export function templateDir(prefix = 'cairn-template-'): string {
  const dir = makeDir(prefix);
  perFile.push(dir);
  return dir;
}

function makeDir(prefix: string): string {
  return realpathSync(mkdtempSync(path.join(os.tmpdir(), prefix)));
}

function removeAll(dirs: string[]): void {
  for (const dir of dirs.splice(0).reverse()) remove(dir);
}

/** Removes `dir`, first making it writable when a test left read-only directories in it. */
function remove(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    if (process.platform !== 'win32') execFileSync('chmod', ['-R', 'u+rwx', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}
