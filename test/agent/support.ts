import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/** A temp dir of fake agents plus an environment that puts it first on PATH. */
export interface FakeAgents {
  binDir: string;
  env: Record<string, string>;
  /** Writes an executable script named `name` into the bin dir; returns its path. */
  write(name: string, body: string): string;
}

export function fakeAgents(): FakeAgents {
  const binDir = tempDir('cairn-agents-');
  return {
    binDir,
    env: { PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}` },
    write(name: string, body: string): string {
      const file = path.join(binDir, name);
      writeFileSync(file, body.startsWith('#!') ? body : `#!/bin/sh\n${body}`);
      chmodSync(file, 0o755);
      return file;
    },
  };
}

/**
 * Whether a process runs: false when it does not exist or is a zombie (an
 * init that does not reap orphans leaves those behind; they run nothing).
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return process.platform !== 'linux';
  }
}

export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

export function readPid(file: string): number {
  return Number(readFileSync(file, 'utf8').trim());
}

/**
 * Transpiles `entry` (a file under src/) and every relative module it
 * imports into `outDir`, as plain ESM JavaScript, so a separate `node`
 * process can run cairn's code as it is in the working tree. Returns the
 * path of the transpiled entry.
 */
export function transpileForNode(entry: string, outDir: string): string {
  const srcRoot = path.join(REPO_ROOT, 'src');
  const pending = [path.join(srcRoot, entry)];
  const done = new Set<string>();
  writeFileSync(path.join(outDir, 'package.json'), '{"type":"module"}\n');
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (done.has(file)) continue;
    done.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)) {
      pending.push(path.resolve(path.dirname(file), `${match[1]}.ts`));
    }
    const output = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const target = path.join(outDir, path.relative(srcRoot, file)).replace(/\.ts$/, '.js');
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, output);
  }
  return path.join(outDir, entry.replace(/\.ts$/, '.js'));
}
