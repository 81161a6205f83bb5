import { constants } from 'node:os';

/*
 * Test hooks for the crash and fault harness (docs/durability.md §7).
 * Both are inert unless their environment variable is set, so a
 * normal run pays one environment lookup per step.
 */

/** Environment variable naming the crash point at which the process SIGKILLs itself. */
export const CRASH_ENV = 'CAIRN_TEST_CRASH_AT';
/** Environment variable `<fault point>:<CODE>` naming a step that fails with an fs-style error. */
export const FAULT_ENV = 'CAIRN_TEST_FAULT';

/** Every named instant of the publish transaction, in the order they are reached. */
export const CRASH_POINTS = [
  'lock-taken',
  'recovery-done',
  'tx-created',
  'staged-written',
  'journal-written',
  'live-moved-to-rollback',
  'staged-moved-to-live',
  'live-validated',
  'journal-committed',
  'published-recorded',
  'rollback-deleted',
  'tx-removed',
  'lock-released',
  'recovery-live-moved-aside',
  'recovery-rollback-restored',
  'recovery-tx-cleaned',
  'lock-claimed',
  'run-worktree-added',
  'run-agent-done',
  'run-validated',
  'run-committed',
  'integrate-journal-written',
  'integrate-tree-updated',
  'integrate-ref-updated',
  'integrate-journal-removed',
  'move-tx-created',
  'move-staged-written',
  'move-journal-written',
  'move-old-moved-aside',
  'move-new-installed',
  'move-journal-committed',
  'move-published-recorded',
  'move-tx-removed',
  'root-move-staged',
  'root-move-journal-written',
  'root-move-new-installed',
  'root-move-config-written',
  'root-move-journal-committed',
  'root-move-old-moved-aside',
  'root-move-done',
] as const;
export type CrashPointName = (typeof CRASH_POINTS)[number];

/** Every step at which an fs failure can be injected, in transaction order. */
export const FAULT_POINTS = [
  'lock-acquire',
  'tx-create',
  'stage-copy',
  'journal-write',
  'live-to-rollback',
  'staged-to-live',
  'live-validate',
  'journal-commit',
  'rollback-delete',
  'tx-remove',
  'lock-release',
  'move-install',
  'root-move-commit',
] as const;
export type FaultPointName = (typeof FAULT_POINTS)[number];

/** The error codes a fault point can raise. */
export const FAULT_CODES = ['ENOSPC', 'EACCES', 'EXDEV', 'EIO'] as const;
export type FaultCode = (typeof FAULT_CODES)[number];

const FAULT_MESSAGES: Record<FaultCode, string> = {
  ENOSPC: 'no space left on device',
  EACCES: 'permission denied',
  EXDEV: 'cross-device link not permitted',
  EIO: 'i/o error',
};

/** SIGKILLs the current process when `CAIRN_TEST_CRASH_AT` equals `name`. */
export function crashPoint(name: CrashPointName): void {
  if (process.env[CRASH_ENV] === name) process.kill(process.pid, 'SIGKILL');
}

/**
 * Throws an fs-style error (`code`, negative `errno`, `syscall`) when
 * `CAIRN_TEST_FAULT` is `<name>:<CODE>` with CODE one of ENOSPC, EACCES,
 * EXDEV, EIO.
 */
export function faultPoint(name: FaultPointName): void {
  const spec = process.env[FAULT_ENV];
  if (spec === undefined || spec === '') return;
  const separator = spec.lastIndexOf(':');
  if (separator < 0 || spec.slice(0, separator) !== name) return;
  const code = spec.slice(separator + 1);
  if (!(FAULT_CODES as readonly string[]).includes(code)) return;
  const faultCode = code as FaultCode;
  const error = new Error(`${faultCode}: ${FAULT_MESSAGES[faultCode]}, injected at ${name}`) as NodeJS.ErrnoException;
  error.code = faultCode;
  error.errno = -(constants.errno[faultCode] ?? 1);
  error.syscall = name;
  throw error;
}
