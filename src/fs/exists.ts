import { lstatSync } from 'node:fs';
import { lstat } from 'node:fs/promises';

/*
 * Existence checks that never follow a symlink and never throw: a path that
 * cannot be inspected counts as absent. Callers that must tell "missing"
 * from "unreadable" use lstat themselves.
 */

/** True when something (a symlink included) is at `target`. */
export async function pathExists(target: string): Promise<boolean> {
  try {
    await lstat(target);
    return true;
  } catch {
    return false;
  }
}

/** {@link pathExists}, synchronously. */
export function pathExistsSync(target: string): boolean {
  try {
    lstatSync(target);
    return true;
  } catch {
    return false;
  }
}

/** True when `target` is a directory itself (not a symlink to one). */
export async function isDirectory(target: string): Promise<boolean> {
  try {
    return (await lstat(target)).isDirectory();
  } catch {
    return false;
  }
}

/** True when `target` is a regular file itself (not a symlink to one). */
export async function isRegularFile(target: string): Promise<boolean> {
  try {
    return (await lstat(target)).isFile();
  } catch {
    return false;
  }
}
