/**
 * The one error type that crosses cairn's boundaries. `code` is stable and
 * machine-readable; `message` says what happened and where; `hint` says what
 * to run next. `exitCode` follows the CLI convention (2 bad usage or input,
 * 1 blocked, failed or refused because of the state of a migration or the
 * project, 3 lock wait timed out).
 */
export type CairnErrorCode =
  | 'usage'
  | 'invalid-input'
  | 'invalid-json'
  | 'invalid-manifest'
  | 'merge-conflict'
  | 'no-merge-conflict'
  | 'invalid-state'
  | 'invalid-config'
  | 'not-refinable'
  | 'not-initialized'
  | 'not-found'
  | 'resolve'
  | 'snapshot'
  | 'unsafe-path'
  | 'untrusted-command'
  | 'io'
  | 'blocked'
  | 'failed'
  | 'lock-timeout'
  | 'store'
  | 'internal';

export interface CairnErrorOptions {
  hint?: string;
  path?: string;
  exitCode?: number;
  cause?: unknown;
}

const DEFAULT_EXIT: Record<CairnErrorCode, number> = {
  usage: 2,
  'invalid-input': 2,
  'invalid-json': 2,
  'invalid-manifest': 2,
  'merge-conflict': 1,
  'no-merge-conflict': 1,
  'invalid-state': 1,
  'invalid-config': 2,
  'not-refinable': 1,
  'not-initialized': 2,
  'not-found': 2,
  resolve: 2,
  snapshot: 2,
  'unsafe-path': 2,
  'untrusted-command': 2,
  io: 1,
  blocked: 1,
  failed: 1,
  'lock-timeout': 3,
  store: 1,
  internal: 1,
};

export class CairnError extends Error {
  readonly code: CairnErrorCode;
  readonly hint: string | undefined;
  readonly path: string | undefined;
  readonly exitCode: number;

  constructor(code: CairnErrorCode, message: string, options: CairnErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CairnError';
    this.code = code;
    this.hint = options.hint;
    this.path = options.path;
    this.exitCode = options.exitCode ?? DEFAULT_EXIT[code];
  }
}

export function isCairnError(value: unknown): value is CairnError {
  return value instanceof CairnError;
}

/**
 * Any thrown value as a CairnError: itself, or an `internal` error that
 * says it is a bug in cairn (the cause kept).
 */
export function toCairnError(error: unknown): CairnError {
  if (isCairnError(error)) return error;
  return new CairnError('internal', `Unexpected error: ${messageOf(error)}`, {
    hint: 'This is a bug in cairn; please report it with the command you ran.',
    cause: error,
  });
}

/** The message of any thrown value, for wrapping ("Could not load …: <msg>"). */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
