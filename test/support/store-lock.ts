import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { REPO_ROOT } from './cli.js';

/*
 * Another process holding the store's SQLite lock, through better-sqlite3:
 * "write" takes the write lock (readers still read), "exclusive" the whole
 * file (nobody else can even read it). It prints "locked" once it holds the
 * lock and lets go when its stdin closes.
 */
const HOLDER = `
const Database = require('better-sqlite3');
const [file, mode] = process.argv.slice(1);
const db = new Database(file);
if (mode === 'exclusive') {
  db.pragma('journal_mode = DELETE');
  db.pragma('locking_mode = EXCLUSIVE');
  db.exec('BEGIN EXCLUSIVE');
} else {
  db.exec('BEGIN IMMEDIATE');
}
process.stdout.write('locked\\n');
process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); });
process.stdin.resume();
`;

const holders: ChildProcessWithoutNullStreams[] = [];

/** Resolves once another process holds the lock `mode` on the store at `storePath`. */
export async function holdStoreLock(storePath: string, mode: 'write' | 'exclusive'): Promise<void> {
  const holder = spawn(process.execPath, ['-e', HOLDER, storePath, mode], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  holders.push(holder);
  let stderr = '';
  holder.stderr.on('data', (chunk) => (stderr += chunk));
  await new Promise<void>((resolve, reject) => {
    holder.stdout.on('data', (chunk) => {
      if (String(chunk).includes('locked')) resolve();
    });
    holder.on('exit', (code) => reject(new Error(`lock holder exited ${code}: ${stderr}`)));
  });
}

/** Lets go of every lock {@link holdStoreLock} took (for `afterEach`). */
export function releaseStoreLocks(): void {
  for (const holder of holders.splice(0)) holder.stdin.end();
}
