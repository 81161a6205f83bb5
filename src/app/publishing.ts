import type { ProjectContext } from '../config/index.js';
import { createMigration, moveMigration, moveMigrationsRoot, type MoveMigrationResult, type MoveRootResult, type NewMigrationResult } from '../planning/index.js';
import { recover, recoverPendingTransactions, type PublishRecorder, type RecoveryReport } from '../publish/index.js';
import type { Io } from './io.js';
import { openServices } from './services.js';

/*
 * The commands that take the publish lock without working on one existing
 * migration: creating one, and recovering interrupted transactions. A dry
 * run opens no store, so it records nothing.
 */

/** Runs `action` with the local store's recorder (none on a dry run), closing the store after. */
async function withRecorder<T>(context: ProjectContext, io: Io, dryRun: boolean, action: (recorder: PublishRecorder | undefined) => Promise<T>): Promise<T> {
  const services = dryRun ? null : openServices(context, io);
  try {
    return await action(services?.recorder);
  } finally {
    services?.close();
  }
}

export interface NewMigrationInput {
  slug: string;
  target: string;
  dryRun: boolean;
  /** Overrides the config's publish lock timeout. */
  lockTimeout?: number | undefined;
}

/** Creates a migration through the publish transaction, recording the publish in the local store. */
export async function newMigration(context: ProjectContext, io: Io, input: NewMigrationInput): Promise<NewMigrationResult> {
  return withRecorder(context, io, input.dryRun, (recorder) =>
    createMigration({
      recorder,
      repoRoot: context.repoRoot,
      liveRoot: context.liveRoot,
      slug: input.slug,
      target: input.target,
      dryRun: input.dryRun,
      lockTimeoutMs: input.lockTimeout ?? context.lockTimeoutMs,
    }),
  );
}

/** Finishes or undoes the project's interrupted publish transactions (a dry run only says what it would do). */
export async function recoverProject(context: ProjectContext, io: Io, options: { dryRun: boolean; lockTimeout?: number | undefined }): Promise<RecoveryReport> {
  return withRecorder(context, io, options.dryRun, (recorder) =>
    recover(context.liveRoot, {
      dryRun: options.dryRun,
      repoRoot: context.repoRoot,
      lockTimeoutMs: options.lockTimeout ?? context.lockTimeoutMs,
      recorder,
    }),
  );
}

export interface MoveInput {
  from: string;
  to: string;
  dryRun: boolean;
  lockTimeout?: number | undefined;
}

/**
 * Renames a migration through the move transaction, after finishing any
 * interrupted transaction (a half-done move leaves its migration in the
 * transaction directory until then); the move is recorded in the local store.
 */
export async function moveProjectMigration(context: ProjectContext, io: Io, input: MoveInput): Promise<MoveMigrationResult> {
  return withRecorder(context, io, input.dryRun, async (recorder) => {
    const lockTimeoutMs = input.lockTimeout ?? context.lockTimeoutMs;
    const recovered = input.dryRun ? [] : await recoverPendingTransactions({ liveRoot: context.liveRoot, recorder, lockTimeoutMs, repoRoot: context.repoRoot });
    const result = await moveMigration({
      repoRoot: context.repoRoot,
      liveRoot: context.liveRoot,
      from: input.from,
      to: input.to,
      dryRun: input.dryRun,
      lockTimeoutMs,
      recorder,
    });
    return { ...result, recovered: [...recovered, ...result.recovered] };
  });
}

export interface MoveRootInput {
  newRoot: string;
  dryRun: boolean;
  lockTimeout?: number | undefined;
}

/** Moves the migrations root and the config's `migrations_dir` in one journaled step, recording events in the local store. */
export async function moveProjectRoot(context: ProjectContext, io: Io, input: MoveRootInput): Promise<MoveRootResult> {
  return withRecorder(context, io, input.dryRun, (recorder) =>
    moveMigrationsRoot({
      repoRoot: context.repoRoot,
      liveRoot: context.liveRoot,
      configPath: context.configPath,
      newRoot: input.newRoot,
      dryRun: input.dryRun,
      lockTimeoutMs: input.lockTimeout ?? context.lockTimeoutMs,
      recorder,
    }),
  );
}
