import { constants as osConstants } from 'node:os';
import { JsonSyntaxError } from './errors.js';
import { parseJson } from './parse.js';
import { pyStrRepr } from './repr.js';
import { Utf8DecodeError, decodeUtf8 } from './utf8.js';
import { isJsonObject, type JsonValue } from './value.js';
import { errnoCode } from '../util/index.js';
import type { BigIntStats } from 'node:fs';
import { FileTooLargeError, NotRegularFileError, readRegularFileSync, readRegularFileWithStatsSync } from '../fs/index.js';

/** The default size limit of {@link readJsonFile}: 32 MiB. */
export const DEFAULT_MAX_JSON_BYTES = 32 * 1024 * 1024;

export interface ReadJsonOptions {
  /** Refuse files larger than this many bytes (default 32 MiB). */
  maxBytes?: number;
}

/** A file over the size limit; checked with fstat before anything is read. */
export class JsonFileTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly maxBytes: number,
  ) {
    super(`file is ${size} bytes; cairn reads JSON documents of at most ${maxBytes} bytes`);
    this.name = 'JsonFileTooLargeError';
  }
}

/**
 * A file that could not be opened or read. The message is Python's `OSError`
 * text (`[Errno 2] No such file or directory: 'path'`); `code` is Node's
 * error code (`ENOENT`), `cause` the original error.
 */
export class JsonFileReadError extends Error {
  readonly code: string | undefined;

  constructor(path: string, cause: unknown) {
    super(pythonOsErrorText(path, cause), { cause });
    this.name = 'JsonFileReadError';
    this.code = errnoCode(cause);
  }
}

/**
 * Read a UTF-8 text file as Python's `Path.read_text(encoding="utf-8")`
 * does: strict decoding (a BOM is kept as U+FEFF) and universal newlines
 * (`\r\n` and `\r` become `\n`).
 *
 * @throws JsonFileTooLargeError, JsonFileReadError, Utf8DecodeError
 */
export async function readTextFile(path: string, options: ReadJsonOptions = {}): Promise<string> {
  return readTextFileSync(path, options);
}

/** {@link readTextFile}, synchronously. */
export function readTextFileSync(path: string, options: ReadJsonOptions = {}): string {
  return textOf(readBoundedBytes(path, options.maxBytes ?? DEFAULT_MAX_JSON_BYTES));
}

function textOf(bytes: Uint8Array): string {
  const text = decodeUtf8(bytes);
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/**
 * A JSON file read once: its bytes, or the error {@link readJsonFile} would
 * have thrown while reading it. Lets one read serve both the parse and a
 * look at the raw bytes (conflict markers).
 */
export type JsonSource = { readonly bytes: Uint8Array; readonly stats?: BigIntStats } | { readonly error: unknown };

/**
 * Reads `path` as {@link readJsonFile} does, keeping a read failure instead
 * of throwing it, and the stat fields of the file that was read.
 */
export function readJsonSource(path: string, options: ReadJsonOptions = {}): JsonSource {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_JSON_BYTES;
  try {
    return readRegularFileWithStatsSync(path, { maxBytes });
  } catch (error) {
    return { error: jsonReadError(path, error, maxBytes) };
  }
}

/** What {@link readJsonFile} returns (or throws) for the file `source` was read from. */
export function parseJsonSource(source: JsonSource): JsonValue {
  if ('error' in source) throw source.error;
  return parseJson(textOf(source.bytes));
}

/**
 * Read and parse a JSON document as the original does with
 * `json.loads(path.read_text(encoding="utf-8"))`, so error positions match.
 * Files larger than `maxBytes` (default 32 MiB) are refused unread.
 *
 * @throws JsonFileTooLargeError, JsonFileReadError or Utf8DecodeError when the
 *   document cannot be loaded ({@link isJsonLoadFailure}); JsonSyntaxError
 *   (or a subclass) when it is not valid JSON ({@link isJsonParseFailure}).
 */
export async function readJsonFile(path: string, options: ReadJsonOptions = {}): Promise<JsonValue> {
  return parseJson(readTextFileSync(path, options));
}

/** {@link readJsonFile}, synchronously. */
export function readJsonFileSync(path: string, options: ReadJsonOptions = {}): JsonValue {
  return parseJson(readTextFileSync(path, options));
}

/** True for a document that was read but is not valid JSON ("Could not parse …"). */
export function isJsonParseFailure(error: unknown): error is JsonSyntaxError {
  return error instanceof JsonSyntaxError;
}

/**
 * True for a document that could not be read or decoded: I/O failure, bad
 * UTF-8, or over the size limit ("Could not load …").
 */
export function isJsonLoadFailure(error: unknown): error is JsonFileReadError | Utf8DecodeError | JsonFileTooLargeError {
  return error instanceof JsonFileReadError || error instanceof Utf8DecodeError || error instanceof JsonFileTooLargeError;
}

/**
 * The bytes of a regular file, at most `maxBytes` of them; FIFOs, devices and
 * sockets are refused before anything is read (docs/security.md §2).
 */
function readBoundedBytes(path: string, maxBytes: number): Uint8Array {
  try {
    return readRegularFileSync(path, { maxBytes });
  } catch (error) {
    throw jsonReadError(path, error, maxBytes);
  }
}

function jsonReadError(path: string, error: unknown, maxBytes: number): Error {
  return error instanceof FileTooLargeError ? new JsonFileTooLargeError(error.size, maxBytes) : new JsonFileReadError(path, error);
}

/** glibc's strerror text for the errors a file read can plausibly meet. */
const STRERROR: Record<string, string> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  EIO: 'Input/output error',
  ENXIO: 'No such device or address',
  EAGAIN: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory',
  EACCES: 'Permission denied',
  EBUSY: 'Device or resource busy',
  ENODEV: 'No such device',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EINVAL: 'Invalid argument',
  ENFILE: 'Too many open files in system',
  EMFILE: 'Too many open files',
  EFBIG: 'File too large',
  ENAMETOOLONG: 'File name too long',
  ELOOP: 'Too many levels of symbolic links',
  EOVERFLOW: 'Value too large for defined data type',
  ESTALE: 'Stale file handle',
};

function pythonOsErrorText(path: string, cause: unknown): string {
  if (cause instanceof NotRegularFileError) return `${cause.kind === 'a directory' ? '[Errno 21] Is a directory' : `Not a regular file (${cause.kind})`}: ${pyStrRepr(path)}`;
  const code = errnoCode(cause);
  const errno = code === undefined ? undefined : (osConstants.errno as Record<string, number>)[code];
  if (code === undefined || errno === undefined) {
    return `${cause instanceof Error ? cause.message : String(cause)}: ${pyStrRepr(path)}`;
  }
  const text = STRERROR[code] ?? (cause instanceof Error ? cause.message : code).replace(/^[A-Z]+: /, '').replace(/,.*$/, '');
  return `[Errno ${errno}] ${text}: ${pyStrRepr(path)}`;
}

/**
 * The string field `key` of the JSON object in `file`, read leniently: null
 * when the file is missing, unreadable, not a JSON object, or the field is
 * not a string. For showing a value, never for deciding on one.
 */
export async function peekJsonStringField(file: string, key: string): Promise<string | null> {
  try {
    const value = parseJson(readRegularFileSync(file).toString('utf8'));
    const field = isJsonObject(value) ? value[key] : undefined;
    return typeof field === 'string' ? field : null;
  } catch {
    return null;
  }
}
