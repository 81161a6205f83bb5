import { CairnError, messageOf } from '../util/index.js';

const CORRUPTION_CODE = /^SQLITE_(CORRUPT|NOTADB)/;

function sqliteCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** True when SQLite reported that the file is not a database or is damaged. */
export function isCorruptionError(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== undefined && CORRUPTION_CODE.test(code);
}

/** True for SQLITE_BUSY and its extended codes: another connection held a lock too long. */
export function isBusyError(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== undefined && code.startsWith('SQLITE_BUSY');
}

/** `"<message> (<SQLITE_CODE>)"`, the form used in recovery reasons. */
export function describeSqliteError(error: unknown): string {
  const code = sqliteCode(error);
  return code === undefined ? messageOf(error) : `${messageOf(error)} (${code})`;
}

export const CORRUPTION_HINT =
  'Open the store for writing (for example `cairn info --migrate`): cairn moves a damaged store aside and starts a fresh one. The plan is untouched.';

/**
 * Turn anything thrown while using the store into a CairnError('store') that
 * says what was being done and where. CairnErrors pass through unchanged.
 */
export function storeError(action: string, storePath: string, error: unknown): CairnError {
  if (error instanceof CairnError) return error;
  const code = sqliteCode(error);
  if (isCorruptionError(error)) {
    return new CairnError('store', `The local store ${storePath} is damaged (${describeSqliteError(error)}) while ${action}.`, {
      path: storePath,
      hint: CORRUPTION_HINT,
      cause: error,
    });
  }
  if (isBusyError(error)) {
    return new CairnError('store', `The local store ${storePath} stayed locked by another process while ${action} (${code}).`, {
      path: storePath,
      hint: 'Retry when the other cairn command has finished.',
      cause: error,
    });
  }
  if (code !== undefined && code.startsWith('SQLITE_READONLY')) {
    return new CairnError('store', `The local store ${storePath} is open read-only; cannot write while ${action}.`, {
      path: storePath,
      cause: error,
    });
  }
  return new CairnError('store', `Failed while ${action} in the local store ${storePath}: ${describeSqliteError(error)}`, {
    path: storePath,
    cause: error,
  });
}

/** Names of the checks a store schema migration must pass before it commits. */
export type MigrationInvariant = 'foreign-key-check-before' | 'row-counts' | 'foreign-key-check' | 'integrity-check' | 'exception';

/** One failed check of a store schema migration. */
export interface InvariantFailure {
  readonly invariant: MigrationInvariant;
  readonly message: string;
}

/**
 * A store schema migration failed one or more invariants and was rolled back
 * completely; `failures` lists every failed check, not only the first.
 */
export class StoreMigrationError extends CairnError {
  readonly migration: { readonly version: number; readonly name: string };
  readonly failures: readonly InvariantFailure[];
  readonly storeVersion: number;

  constructor(
    migration: { version: number; name: string },
    failures: readonly InvariantFailure[],
    storeVersion: number,
    storePath: string,
    cause?: unknown,
  ) {
    const list = failures.map((f) => `${f.invariant}: ${f.message}`).join('; ');
    super(
      'store',
      `Store migration ${migration.version} "${migration.name}" was rolled back (the store stays at version ${storeVersion}): ${list}`,
      {
        path: storePath,
        hint: 'This is a bug in cairn; the plan is untouched and the store keeps working at its current version.',
        cause,
      },
    );
    this.migration = { version: migration.version, name: migration.name };
    this.failures = failures;
    this.storeVersion = storeVersion;
  }
}
