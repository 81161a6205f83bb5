import { runAgent, type AgentRunResult } from '../agent/index.js';

/*
 * The project's validation command, run in the worktree through `sh -c`
 * under the same deadline, silence watchdog and process-group kill as an
 * agent. Its stdin is empty; its environment names the run.
 */

/** How a validation ended, and the end of what it printed. */
export interface ValidationOutcome {
  passed: boolean;
  /** `passed`, `failed (exit 1)`, `timed out after 600 s`, … */
  verdict: string;
  exitCode: number | null;
  durationMs: number;
  /** stdout and stderr together as captured (each capped). */
  output: string;
  /** The last lines of the output, for a retry prompt and messages. */
  tail: string;
  interruptedBy: NodeJS.Signals | null;
}

export interface ValidationRunSpec {
  command: string;
  cwd: string;
  env: Readonly<Record<string, string>>;
  timeoutMs: number;
  silenceTimeoutMs: number;
  mirror?: { stdout?: (chunk: Buffer) => void; stderr?: (chunk: Buffer) => void } | undefined;
  /** Where the process record goes while it runs, so a later cairn can stop it if this one is killed. */
  record?: { runDir: string; workspace: string };
}

const TAIL_LINES = 60;
const TAIL_CHARS = 8000;

/** The last lines of `text` (at most 60 lines, 8000 characters). */
export function outputTail(text: string): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  let tail = lines.slice(-TAIL_LINES).join('\n');
  if (tail.length > TAIL_CHARS) tail = tail.slice(-TAIL_CHARS);
  return tail;
}

function verdictOf(run: AgentRunResult, timeoutMs: number, silenceMs: number): string {
  switch (run.verdict) {
    case 'exited':
      if (run.exitCode === 0) return 'passed';
      return run.exitCode !== null ? `failed (exit ${run.exitCode})` : `was killed by ${run.signal ?? 'a signal'}`;
    case 'timeout':
      return `timed out after ${Math.round(timeoutMs / 1000)} s`;
    case 'silence':
      return `printed nothing for ${Math.round(silenceMs / 1000)} s and was stopped`;
    case 'aborted':
      return `was stopped (${run.interruptedBy ?? 'cancelled'})`;
    case 'spawn-failed':
      return `could not be started: ${run.error ?? 'unknown error'}`;
  }
}

export async function runValidation(spec: ValidationRunSpec): Promise<ValidationOutcome> {
  const run = await runAgent({
    argv: ['sh', '-c', spec.command],
    cwd: spec.cwd,
    prompt: '',
    env: spec.env,
    timeoutMs: spec.timeoutMs,
    silenceTimeoutMs: spec.silenceTimeoutMs,
    ...(spec.mirror !== undefined ? { mirror: spec.mirror } : {}),
    ...(spec.record !== undefined ? { record: spec.record } : {}),
  });
  const output = [run.stdout, run.stderr].filter((part) => part !== '').join(run.stdout.endsWith('\n') || run.stdout === '' ? '' : '\n');
  return {
    passed: run.verdict === 'exited' && run.exitCode === 0,
    verdict: verdictOf(run, spec.timeoutMs, spec.silenceTimeoutMs),
    exitCode: run.exitCode,
    durationMs: run.durationMs,
    output,
    tail: outputTail(output),
    interruptedBy: run.interruptedBy ?? null,
  };
}
