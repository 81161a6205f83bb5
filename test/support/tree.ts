import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A tree to build: every file and directory gets an explicit mode. */
export type Node = { file: string | Uint8Array; mode: number } | { dir: Record<string, Node>; mode: number };

export const file = (content: string | Uint8Array, mode = 0o644): Node => ({ file: content, mode });
export const dir = (entries: Record<string, Node>, mode = 0o755): Node => ({ dir: entries, mode });

/** Write `node` at `target` with exact modes (a directory's mode is set after its entries). */
export async function buildTree(target: string, node: Node): Promise<void> {
  if ('file' in node) {
    await writeFile(target, node.file);
    await chmod(target, node.mode);
    return;
  }
  await mkdir(target, { recursive: true });
  await chmod(target, 0o700);
  for (const [name, child] of Object.entries(node.dir)) {
    await buildTree(path.join(target, name), child);
  }
  await chmod(target, node.mode);
}

/** The files under `dir` (relative, `/`-separated, sorted); none when it does not exist. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  if (existsSync(dir)) walk('');
  return out.sort();
}

/**
 * Every file of a repository a commit could hold (git's own directory,
 * cairn's local state and transaction directories left out), with its bytes.
 */
export function projectBytes(repo: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of listTree(repo)) {
    if (entry.startsWith('.git/') || entry.startsWith('.planning/work/') || entry.startsWith('.planning/cairn.db') || entry.includes('__transactions__')) continue;
    files[entry] = readFileSync(path.join(repo, entry)).toString('latin1');
  }
  return files;
}
