import path from 'node:path';
import { pathExists } from '../fs/index.js';

/* Where a root move keeps its journal and workspace: all a command needs to see that none is pending. */

const JOURNAL_RELATIVE_PATH = path.join('.planning', 'work', 'root-move.json');
export const WORK_RELATIVE_DIR = path.join('.planning', 'work', 'root-move');

export function journalPath(repoRoot: string): string {
  return path.join(repoRoot, JOURNAL_RELATIVE_PATH);
}

export function workPaths(repoRoot: string): { dir: string; staged: string; old: string; discard: string } {
  const dir = path.join(repoRoot, WORK_RELATIVE_DIR);
  return { dir, staged: path.join(dir, 'staged'), old: path.join(dir, 'old'), discard: path.join(dir, 'discard') };
}

/** Whether a root move was left unfinished: its journal, or only its workspace (killed while building). */
export async function rootMovePending(repoRoot: string): Promise<boolean> {
  return (await pathExists(journalPath(repoRoot))) || (await pathExists(workPaths(repoRoot).dir));
}
