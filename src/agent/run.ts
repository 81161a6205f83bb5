import { spawn, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CairnError, messageOf, errnoCode } from '../util/index.js';
import { DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_TAIL_BYTES, OutputCapture } from './capture.js';
import { reapGroup, signalGroup } from './process-group.js';
import { agentProgressSink, formatAgentProgress, progressSubject } from './progress.js';
import { agentProcessRecord, removeAgentRecord, writeAgentRecord } from './process-record.js';

/*
 * Runs one agent process: argv without a shell, the prompt on stdin, stdout
 * and stderr captured with a cap, a deadline and a silence watchdog. The
 * agent leads its own process group, and whatever ends the run (deadline,
 * silence, cancellation, cairn itself being interrupted, or the agent
 * exiting with helpers still running) ends the whole group: SIGTERM, then
 * SIGKILL after a grace period. Because the group is detached from the
 * terminal, Ctrl-C reaches only cairn, which stops the agent on its behalf.
 */

/** How a run ended. */
export type AgentVerdict = 'exited' | 'timeout' | 'silence' | 'aborted' | 'spawn-failed';

export const DEFAULT_KILL_GRACE_MS = 2000;

const MAX_TIMER_MS = 2 ** 31 - 1;
/** How long to wait for the output pipes to close once the group is gone (a process outside it may hold them). */
const DRAIN_MS = 500;
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface AgentRunSpec {
  /** The command and its arguments; run directly, never through a shell. */
  argv: readonly string[];
  /** Working directory (the repository root for planning steps). */
  cwd: string;
  /** Written to the agent's stdin, which is then closed. */
  prompt: string;
  /** Variables added to the environment (see `agentEnv`). */
  env?: Readonly<Record<string, string>>;
  /** The environment the additions apply to; defaults to cairn's own. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Deadline for the whole run in ms; absent or 0 means none. */
  timeoutMs?: number;
  /** Ends the run when neither stdout nor stderr produced a byte for this many ms; absent or 0 means never. */
  silenceTimeoutMs?: number;
  /** Bytes kept of each of stdout and stderr (default 16 MiB); the rest is counted and dropped. */
  maxOutputBytes?: number;
  /** Bytes kept from the end of a stream that went past the cap (default 256 KiB). */
  tailBytes?: number;
  /** Time between SIGTERM and SIGKILL (default 2 s). */
  killGraceMs?: number;
  /** Receives every chunk as it arrives, e.g. to show the agent's output live. */
  mirror?: { stdout?: (chunk: Buffer) => void; stderr?: (chunk: Buffer) => void };
  /** Cancels the run: the agent's group is stopped and the verdict is `aborted`. */
  signal?: AbortSignal;
  /**
   * Stop the agent when cairn receives SIGINT, SIGTERM or SIGHUP while it
   * runs (default true). The run then ends `aborted` with `interruptedBy`
   * set; the caller decides how to exit.
   */
  handleProcessSignals?: boolean;
  /**
   * Where to keep `agent.json` while the agent runs (its run directory), and
   * the workspace its environment names: lets a later cairn stop the group
   * if this one is killed (see process-record.ts). Removed when the run ends.
   */
  record?: { runDir: string; workspace: string };
}

export interface AgentRunResult {
  argv: string[];
  /** Exit code, or null when the agent did not exit normally (killed, or never started). */
  exitCode: number | null;
  /** The signal that ended the agent, if one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** Bytes the agent wrote to each stream, kept or not. */
  stdoutTotalBytes: number;
  stderrTotalBytes: number;
  /** The last bytes of stdout when it went past the cap, else null. */
  stdoutTail: string | null;
  durationMs: number;
  verdict: AgentVerdict;
  /** What went wrong, for every verdict but `exited`. */
  error?: string;
  /** The signal cairn received that stopped the run (verdict `aborted`). */
  interruptedBy?: NodeJS.Signals;
}

function checkLimit(name: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new CairnError('usage', `Agent run setting ${name} must be an integer from 0 to ${max}, got ${String(value)}`);
  }
  return value;
}

function commandLabel(argv: readonly string[]): string {
  return path.basename(argv[0] ?? '');
}

async function cwdProblem(cwd: string): Promise<string | null> {
  try {
    const stats = await stat(cwd);
    return stats.isDirectory() ? null : `The agent's working directory ${cwd} is not a directory`;
  } catch (error) {
    return `The agent's working directory ${cwd} cannot be used: ${messageOf(error)}`;
  }
}

function spawnFailureMessage(command: string, error: unknown): string {
  const code = errnoCode(error);
  if (code === 'ENOENT') {
    const where = command.includes('/') ? '' : ' on PATH';
    return `Agent command '${command}' was not found${where}: install it or pass --agent-cmd to use another command`;
  }
  if (code === 'EACCES') {
    return `Agent command '${command}' could not be run (permission denied): make it executable or pass --agent-cmd to use another command`;
  }
  return `Agent command '${command}' could not be started: ${messageOf(error)}`;
}

function emptyResult(argv: string[], verdict: AgentVerdict, error: string, durationMs: number): AgentRunResult {
  return {
    argv,
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    stdoutTotalBytes: 0,
    stderrTotalBytes: 0,
    stdoutTail: null,
    durationMs,
    verdict,
    error,
  };
}

/**
 * Runs an agent process to completion and reports how it ended; never
 * rejects for anything the agent does (a missing executable is verdict
 * `spawn-failed`, a hang `timeout` or `silence`). Throws
 * `CairnError('usage')` only for an empty argv or an invalid limit.
 */
export async function runAgent(spec: AgentRunSpec): Promise<AgentRunResult> {
  const argv = [...spec.argv];
  if (argv.length === 0 || argv[0] === '') throw new CairnError('usage', 'The agent command is empty');
  const limits = {
    timeoutMs: checkLimit('timeoutMs', spec.timeoutMs, 0, MAX_TIMER_MS),
    silenceTimeoutMs: checkLimit('silenceTimeoutMs', spec.silenceTimeoutMs, 0, MAX_TIMER_MS),
    maxOutputBytes: checkLimit('maxOutputBytes', spec.maxOutputBytes, DEFAULT_MAX_OUTPUT_BYTES, 2 ** 30),
    tailBytes: checkLimit('tailBytes', spec.tailBytes, DEFAULT_TAIL_BYTES, 2 ** 30),
    killGraceMs: checkLimit('killGraceMs', spec.killGraceMs, DEFAULT_KILL_GRACE_MS, 60_000),
  };
  const startedAt = performance.now();
  const elapsed = (): number => Math.round(performance.now() - startedAt);
  if (spec.signal?.aborted === true) {
    return emptyResult(argv, 'aborted', 'The agent run was cancelled before it started', elapsed());
  }
  const problem = await cwdProblem(spec.cwd);
  if (problem !== null) return emptyResult(argv, 'spawn-failed', problem, elapsed());
  return new Promise((resolve) => supervise(spec, argv, limits, elapsed, resolve));
}

interface Limits {
  timeoutMs: number;
  silenceTimeoutMs: number;
  maxOutputBytes: number;
  tailBytes: number;
  killGraceMs: number;
}

function supervise(
  spec: AgentRunSpec,
  argv: string[],
  limits: Limits,
  elapsed: () => number,
  resolve: (result: AgentRunResult) => void,
): void {
  const command = argv[0] as string;
  const label = commandLabel(argv);
  const env: NodeJS.ProcessEnv = { ...(spec.baseEnv ?? process.env), ...spec.env };

  const stdout = new OutputCapture(limits.maxOutputBytes, limits.tailBytes);
  const stderr = new OutputCapture(limits.maxOutputBytes, 0);
  let verdict: AgentVerdict = 'exited';
  let failure: string | undefined;
  let interruptedBy: NodeJS.Signals | undefined;
  let exitCode: number | null = null;
  let exitSignal: NodeJS.Signals | null = null;
  let exited = false;
  let closed = false;
  let groupGone = false;
  let finished = false;
  let termSentAt: number | null = null;
  const timers: NodeJS.Timeout[] = [];
  let silenceTimer: NodeJS.Timeout | null = null;

  let child: ChildProcess | undefined;
  const pgid = (): number | undefined => child?.pid;

  function clearTimers(): void {
    for (const timer of timers) clearTimeout(timer);
    timers.length = 0;
    if (silenceTimer !== null) clearTimeout(silenceTimer);
    silenceTimer = null;
  }

  /** Stops the run for `cause`: SIGTERM the group now, SIGKILL after the grace period. */
  function terminate(cause: AgentVerdict, message: string): void {
    const group = pgid();
    if (finished || group === undefined) return;
    if (termSentAt !== null) {
      // Asked again while stopping (a second Ctrl-C): no more grace.
      signalGroup(group, 'SIGKILL');
      return;
    }
    if (exited) return; // the leader is gone; the exit handler is already clearing the group
    verdict = cause;
    failure = message;
    clearTimers();
    signalGroup(group, 'SIGTERM');
    termSentAt = Date.now();
    timers.push(setTimeout(() => signalGroup(group, 'SIGKILL'), limits.killGraceMs));
  }

  const onAbort = (): void => terminate('aborted', `The agent run was cancelled; ${label} was stopped`);
  const signalHandlers = new Map<NodeJS.Signals, () => void>();
  if (spec.handleProcessSignals !== false) {
    for (const name of FORWARDED_SIGNALS) {
      signalHandlers.set(name, () => {
        interruptedBy ??= name;
        terminate('aborted', `cairn received ${name}; ${label} was stopped`);
      });
    }
  }

  function detachListeners(): void {
    spec.signal?.removeEventListener('abort', onAbort);
    for (const [name, handler] of signalHandlers) process.removeListener(name, handler);
  }

  // Listen before spawning: a signal arriving between the fork and the
  // listener would otherwise kill cairn and orphan the agent's group. A
  // handler runs from the event loop, so it always sees the spawned child.
  for (const [name, handler] of signalHandlers) process.on(name, handler);
  try {
    child = spawn(command, argv.slice(1), { cwd: spec.cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  } catch (error) {
    detachListeners();
    resolve(emptyResult(argv, 'spawn-failed', spawnFailureMessage(command, error), elapsed()));
    return;
  }
  const proc = child;
  const record = spec.record;
  const recorded: Promise<void> =
    record !== undefined && proc.pid !== undefined
      ? (async () => {
          const content = agentProcessRecord(proc.pid as number, record.workspace);
          if (content !== null) await writeAgentRecord(record.runDir, content);
        })().catch(() => {
          // Without the record only the reaping after a crash of cairn is lost; the run goes on.
        })
      : Promise.resolve();

  let outputBytes = 0;
  const progress = agentProgressSink();
  const subject = progressSubject(spec.env, label);
  const showProgress = (): void => {
    try {
      progress?.update(formatAgentProgress(subject, elapsed(), outputBytes));
    } catch {
      // A terminal that went away must not disturb the run.
    }
  };
  const progressTimer = progress === null ? null : setInterval(showProgress, 1000);
  progressTimer?.unref();

  function finish(): void {
    if (finished) return;
    finished = true;
    clearTimers();
    if (progressTimer !== null) {
      clearInterval(progressTimer);
      try {
        progress?.clear();
      } catch {
        // as above
      }
    }
    detachListeners();
    const out = stdout.result();
    const err = stderr.result();
    const result: AgentRunResult = {
      argv,
      exitCode,
      signal: exitSignal,
      stdout: out.text,
      stderr: err.text,
      stdoutTruncated: out.truncated,
      stderrTruncated: err.truncated,
      stdoutTotalBytes: out.totalBytes,
      stderrTotalBytes: err.totalBytes,
      stdoutTail: out.tail,
      durationMs: elapsed(),
      verdict,
    };
    if (failure !== undefined) result.error = failure;
    if (interruptedBy !== undefined) result.interruptedBy = interruptedBy;
    // The group is gone: the record has nothing left to name.
    void recorded
      .then(() => (record === undefined ? undefined : removeAgentRecord(record.runDir)))
      .catch(() => {})
      .then(() => resolve(result));
  }

  function maybeFinish(): void {
    if (closed && groupGone) finish();
  }

  function onOutput(capture: OutputCapture, mirror: ((chunk: Buffer) => void) | undefined, chunk: Buffer): void {
    capture.push(chunk);
    outputBytes += chunk.length;
    silenceTimer?.refresh();
    if (mirror !== undefined) {
      try {
        mirror(chunk);
      } catch {
        // A failing mirror (a closed terminal) must not disturb the run.
      }
    }
  }

  proc.stdout?.on('data', (chunk: Buffer) => onOutput(stdout, spec.mirror?.stdout, chunk));
  proc.stderr?.on('data', (chunk: Buffer) => onOutput(stderr, spec.mirror?.stderr, chunk));
  // An agent may exit without reading its prompt: EPIPE here is not cairn's failure.
  proc.stdin?.on('error', () => {});

  proc.on('error', (error) => {
    if (proc.pid !== undefined || finished) return; // a failed kill after start: nothing to report
    verdict = 'spawn-failed';
    failure = spawnFailureMessage(command, error);
    closed = true;
    groupGone = true;
    finish();
  });

  proc.on('exit', (code, signal) => {
    exitCode = code;
    exitSignal = signal;
    exited = true;
    clearTimers();
    const group = pgid();
    if (group === undefined) return;
    void reapGroup(group, limits.killGraceMs, termSentAt).then(() => {
      groupGone = true;
      if (closed) {
        finish();
        return;
      }
      // Something outside the group still holds the pipes: stop waiting for them.
      const drain = setTimeout(() => {
        proc.stdout?.destroy();
        proc.stderr?.destroy();
        closed = true;
        finish();
      }, DRAIN_MS);
      timers.push(drain);
    });
  });

  proc.on('close', () => {
    closed = true;
    maybeFinish();
  });

  if (proc.pid === undefined) {
    // Spawning failed; the 'error' event reports it. Still close stdin quietly.
    proc.stdin?.end();
    return;
  }

  spec.signal?.addEventListener('abort', onAbort, { once: true });
  if (limits.timeoutMs > 0) {
    timers.push(
      setTimeout(() => terminate('timeout', `${label} did not finish within ${limits.timeoutMs} ms and was stopped`), limits.timeoutMs),
    );
  }
  if (limits.silenceTimeoutMs > 0) {
    silenceTimer = setTimeout(
      () => terminate('silence', `${label} printed nothing for ${limits.silenceTimeoutMs} ms and was stopped`),
      limits.silenceTimeoutMs,
    );
  }
  proc.stdin?.end(spec.prompt);
}

/**
 * Why a run did not succeed, in one line (e.g. "my-agent exited with code
 * 3"), or null for a run that exited with code 0. `label` defaults to the
 * command's file name.
 */
export function agentFailureReason(result: AgentRunResult, label: string = commandLabel(result.argv)): string | null {
  if (result.verdict !== 'exited') return result.error ?? `${label} did not complete (${result.verdict})`;
  if (result.exitCode === 0) return null;
  if (result.exitCode !== null) return `${label} exited with code ${result.exitCode}`;
  return `${label} was killed by ${result.signal ?? 'a signal'}`;
}
