import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { encodeJson, isJsonObject, jsonObject, parseJson, pickJson, type JsonObject, type JsonValue } from '../json/index.js';
import { localTimestamp, CAIRN_VERSION, errnoCode } from '../util/index.js';
import { fsyncDir, writeFileDurable } from '../fs/index.js';
import { transactionPaths } from './layout.js';

/*
 * The intent record of one publish transaction, `<tx>/journal.json`
 * (docs/durability.md §3). It is written and fsynced before the first
 * rename, and replaced atomically by its `committed` form once the new live
 * tree is validated: that replacement is the commit point. Its body is
 * covered by a SHA-256 checksum so a damaged journal is recognised rather
 * than acted on.
 */

export const JOURNAL_MAGIC = 'cairn-publish-journal';
export const JOURNAL_VERSION = 1;

/** `prepared`: the swap may have started, nothing is committed. `committed`: the new tree is live and validated. */
export type JournalPhase = 'prepared' | 'committed';

export interface JournalBody {
  tx_id: string;
  slug: string;
  operation: string;
  /** The live migration directory, as it was when the transaction ran. */
  live_dir: string;
  /** The snapshot the work started from (the request's base_snapshot_id). */
  base_snapshot_id: string;
  /** The live tree before the swap (the `missing` digest for a new migration). */
  old_snapshot_id: string;
  /** The staged tree that replaces it. */
  new_snapshot_id: string;
  /** Whether a live directory existed before the swap. */
  old_exists: boolean;
  created_at: string;
  phase: JournalPhase;
  /** Set only by a move: the slug the migration `slug` is renamed to (its new tree is installed there). */
  moved_to?: string;
}

export type JournalRead =
  | { status: 'missing' }
  | { status: 'invalid'; reason: string }
  | { status: 'valid'; body: JournalBody };

const BODY_STRING_KEYS = [
  'tx_id',
  'slug',
  'operation',
  'live_dir',
  'base_snapshot_id',
  'old_snapshot_id',
  'new_snapshot_id',
  'created_at',
  'phase',
] as const;

function bodyToJson(body: JournalBody): JsonObject {
  const json = pickJson(body, [...BODY_STRING_KEYS, 'old_exists']);
  if (body.moved_to !== undefined) json['moved_to'] = body.moved_to;
  return json;
}

function checksumOf(bodyJson: JsonObject): string {
  return `sha256:${createHash('sha256').update(encodeJson(bodyJson), 'utf8').digest('hex')}`;
}

/** The bytes of a journal: `{body, checksum, magic, tool, version}`, sorted keys, 2-space indent. */
export function encodeJournal(body: JournalBody): string {
  const bodyJson = bodyToJson(body);
  const root = jsonObject();
  root.body = bodyJson;
  root.checksum = checksumOf(bodyJson);
  root.magic = JOURNAL_MAGIC;
  root.tool = `cairn ${CAIRN_VERSION}`;
  root.version = JOURNAL_VERSION;
  return encodeJson(root);
}

/** Decodes journal text; `invalid` names the first problem (bad JSON, magic, version, checksum, field). */
export function decodeJournal(text: string): JournalRead {
  let value: JsonValue;
  try {
    value = parseJson(text);
  } catch (error) {
    return { status: 'invalid', reason: `journal is not valid JSON (${(error as Error).message})` };
  }
  if (!isJsonObject(value)) return { status: 'invalid', reason: 'journal is not a JSON object' };
  if (value['magic'] !== JOURNAL_MAGIC) return { status: 'invalid', reason: 'journal magic is wrong' };
  if (value['version'] !== JOURNAL_VERSION) return { status: 'invalid', reason: `unsupported journal version ${String(value['version'])}` };
  const bodyJson = value['body'];
  if (!isJsonObject(bodyJson)) return { status: 'invalid', reason: 'journal body is not an object' };
  if (value['checksum'] !== checksumOf(bodyJson)) return { status: 'invalid', reason: 'journal checksum does not match its body' };
  const fields: Partial<Record<(typeof BODY_STRING_KEYS)[number], string>> = {};
  for (const key of BODY_STRING_KEYS) {
    const field = bodyJson[key];
    if (typeof field !== 'string') return { status: 'invalid', reason: `journal field '${key}' is missing or not a string` };
    fields[key] = field;
  }
  const oldExists = bodyJson['old_exists'];
  if (typeof oldExists !== 'boolean') return { status: 'invalid', reason: "journal field 'old_exists' is missing or not a boolean" };
  if (fields.phase !== 'prepared' && fields.phase !== 'committed') {
    return { status: 'invalid', reason: `unknown journal phase '${String(fields.phase)}'` };
  }
  const body: JournalBody = { ...(fields as Record<(typeof BODY_STRING_KEYS)[number], string>), old_exists: oldExists, phase: fields.phase };
  const movedTo = bodyJson['moved_to'];
  if (movedTo !== undefined) {
    if (typeof movedTo !== 'string') return { status: 'invalid', reason: "journal field 'moved_to' is not a string" };
    body.moved_to = movedTo;
  }
  return { status: 'valid', body };
}

/** Reads `<txDir>/journal.json`; `missing` when there is none. */
export async function readJournal(txDir: string): Promise<JournalRead> {
  let text: string;
  try {
    text = await readFile(transactionPaths(txDir).journal, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { status: 'missing' };
    return { status: 'invalid', reason: `journal cannot be read (${(error as Error).message})` };
  }
  return decodeJournal(text);
}

/** Writes the journal atomically and durably (temp file, fsync, rename, fsync of the directory). */
export async function writeJournal(txDir: string, body: JournalBody): Promise<void> {
  await writeFileDurable(transactionPaths(txDir).journal, encodeJournal(body));
}

/**
 * Writes the `cairn-tx` marker that tells recovery this transaction
 * directory is cairn's (the original tool's never have one). It is the
 * first thing written into a new transaction directory.
 */
export async function writeTransactionMarker(txDir: string, details: { slug: string; operation: string; movedTo?: string }): Promise<void> {
  const object = jsonObject();
  object.created_at = localTimestamp();
  if (details.movedTo !== undefined) object.moved_to = details.movedTo;
  object.operation = details.operation;
  object.pid = process.pid;
  object.slug = details.slug;
  object.tool = `cairn ${CAIRN_VERSION}`;
  // Created in place (O_EXCL), not through a temp file: its name alone marks
  // the directory, so a crash mid-write must still leave a file of that name.
  const marker = transactionPaths(txDir).marker;
  const handle = await open(marker, 'wx', 0o644);
  try {
    await handle.writeFile(encodeJson(object), 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsyncDir(txDir);
}
