import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { userConfigPath } from '../agent/index.js';
import { CairnError, errnoCode, messageOf } from '../util/index.js';
import { readRegularFileSync } from '../fs/index.js';

/*
 * Run seals (docs/security.md §5): every run record cairn writes carries an
 * HMAC-SHA256 of its fields, keyed by a secret that exists only in the
 * user's own config directory. A run record committed to a repository, or
 * written by anyone without that secret, has no valid seal, so `cairn
 * accept` never publishes a workspace this user did not prepare here.
 */

/** `$XDG_CONFIG_HOME/cairn/run-seal.key` (else `~/.config/cairn/run-seal.key`). */
export function sealKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(path.dirname(userConfigPath(env)), 'run-seal.key');
}

const KEY_TEXT = /^[0-9a-f]{64}\n?$/;

function keyError(file: string, why: string, hint?: string): CairnError {
  return new CairnError('io', `The run seal key ${file} ${why}`, {
    path: file,
    hint: hint ?? `Move ${file} aside: cairn creates a new key on the next run (runs prepared with the old key are then ignored).`,
  });
}

/** The key, or null when the file does not exist. Throws CairnError('io') for an unreadable or malformed key file. */
export function readSealKey(file: string = sealKeyPath()): Buffer | null {
  let text: string;
  try {
    text = readRegularFileSync(file, { noFollow: true, maxBytes: 1024 }).toString('utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw keyError(file, `cannot be read: ${messageOf(error)}`);
  }
  if (!KEY_TEXT.test(text)) throw keyError(file, 'is not a cairn run seal key (64 hex digits)');
  return Buffer.from(text.slice(0, 64), 'hex');
}

/**
 * The key, created on first use: 32 random bytes written to a private temp
 * file (mode 0600) and linked into place, so two processes starting at once
 * end up with the same key.
 */
export async function sealKey(file: string = sealKeyPath()): Promise<Buffer> {
  const existing = readSealKey(file);
  if (existing !== null) return existing;
  const dir = path.dirname(file);
  const temp = path.join(dir, `.run-seal.key.${randomBytes(8).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${randomBytes(32).toString('hex')}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, file);
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error;
    }
  } catch (error) {
    throw keyError(
      file,
      `could not be created: ${messageOf(error)}`,
      `Make ${dir} writable for this user (or set XDG_CONFIG_HOME to a directory that is): manual runs are sealed with a key kept there.`,
    );
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  const created = readSealKey(file);
  if (created === null) throw keyError(file, 'vanished while it was created');
  return created;
}

/** The seal of `payload` (the record's canonical text without its seal): 64 lowercase hex. */
export function sealOf(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload, 'utf8').digest('hex');
}

/** Whether `seal` is the seal of `payload` under `key` (constant-time comparison). */
export function sealMatches(key: Buffer, payload: string, seal: string): boolean {
  const expected = Buffer.from(sealOf(key, payload), 'hex');
  const given = Buffer.from(seal, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
