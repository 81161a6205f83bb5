import type Database from 'better-sqlite3';
import { CairnError } from '../util/index.js';
import { newTimeOrderedId } from './ids.js';
import { capOutput } from './output-cap.js';
import { prepared } from './statements.js';
import { isoTime, optionalInteger, optionalLimit, optionalText, requireText } from './validate.js';

export const RUN_VERDICTS = ['accepted', 'rejected', 'failed', 'timeout', 'killed'] as const;
/** How an agent run ended. */
export type RunVerdict = (typeof RUN_VERDICTS)[number];

/** What is known when an agent run starts. */
export interface RunStartInput {
  slug: string;
  step: string;
  agent: string;
  model?: string | null;
  effort?: string | null;
  /** Lowercase hex SHA-256 of the prompt given to the agent. */
  promptSha256?: string | null;
  /** Default: now. */
  startedAt?: Date;
}

/** What is known when an agent run ends. */
export interface RunEndInput {
  verdict: RunVerdict;
  exitCode?: number | null;
  /** Signal that ended the agent, e.g. `SIGTERM`. */
  signal?: string | null;
  stdout?: string | Uint8Array;
  stderr?: string | Uint8Array;
  /** Why the run got its verdict (rejection reason, error message). */
  reason?: string | null;
  /** Default: now. */
  endedAt?: Date;
  /** Default: endedAt − startedAt (a monotonic measurement from the caller is better). */
  durationMs?: number;
}

/** The columns a run summary and its table row share, under the same names. */
interface RunIdentity {
  id: string;
  slug: string;
  step: string;
  agent: string;
  model: string | null;
  effort: string | null;
  signal: string | null;
  verdict: RunVerdict | null;
  reason: string | null;
}

/** A run as listed: everything except the captured output itself. */
export interface RunSummary extends RunIdentity {
  promptSha256: string | null;
  /** ISO 8601 UTC. */
  startedAt: string;
  /** ISO 8601 UTC; null while the run has not ended (or its cairn process died). */
  endedAt: string | null;
  exitCode: number | null;
  durationMs: number | null;
  /** Size of stdout as produced (before capping); null until the run ends. */
  stdoutBytes: number | null;
  stdoutTruncated: boolean;
  stderrBytes: number | null;
  stderrTruncated: boolean;
}

/** A run with its captured output (UTF-8 decoded; null until the run ends). */
export interface RunRecord extends RunSummary {
  stdout: string | null;
  stderr: string | null;
}

/** Filters for `listRuns`; results are newest first. */
export interface RunFilter {
  slug?: string;
  step?: string;
  /** Only ended runs whose verdict is not `accepted`. */
  failedOnly?: boolean;
  limit?: number;
}

interface RunRow extends RunIdentity {
  prompt_sha256: string | null;
  started_at: string;
  ended_at: string | null;
  exit_code: number | null;
  duration_ms: number | null;
  stdout_bytes: number | null;
  stdout_truncated: number | null;
  stderr_bytes: number | null;
  stderr_truncated: number | null;
}

const SUMMARY_COLUMNS = `r.id, r.slug, r.step, r.agent, r.model, r.effort, r.prompt_sha256, r.started_at, r.ended_at,
  r.exit_code, r.signal, r.verdict, r.reason, r.duration_ms,
  o.stdout_bytes, o.stdout_truncated, o.stderr_bytes, o.stderr_truncated`;

const INSERT_RUN_SQL = `INSERT INTO runs (id, slug, step, agent, model, effort, prompt_sha256, started_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const END_RUN_SQL = `UPDATE runs SET ended_at = ?, exit_code = ?, signal = ?, verdict = ?, reason = ?, duration_ms = ?
  WHERE seq = ?`;
const INSERT_RUN_OUTPUT_SQL = `INSERT INTO run_outputs
  (run_seq, stdout_bytes, stdout_truncated, stderr_bytes, stderr_truncated, stdout, stderr) VALUES (?, ?, ?, ?, ?, ?, ?)`;

function toSummary(row: RunRow): RunSummary {
  return {
    id: row.id,
    slug: row.slug,
    step: row.step,
    agent: row.agent,
    model: row.model,
    effort: row.effort,
    promptSha256: row.prompt_sha256,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    exitCode: row.exit_code,
    signal: row.signal,
    verdict: row.verdict,
    reason: row.reason,
    durationMs: row.duration_ms,
    stdoutBytes: row.stdout_bytes,
    stdoutTruncated: row.stdout_truncated === 1,
    stderrBytes: row.stderr_bytes,
    stderrTruncated: row.stderr_truncated === 1,
  };
}

/** Records the start of an agent run; returns its new id (`r-<yyyymmddThhmmss>-<hex>`). */
export function recordRunStart(db: Database.Database, input: RunStartInput): string {
  const slug = requireText(input.slug, 'slug');
  const step = requireText(input.step, 'step');
  const agent = requireText(input.agent, 'agent');
  const model = optionalText(input.model, 'model');
  const effort = optionalText(input.effort, 'effort');
  const promptSha256 = optionalText(input.promptSha256, 'promptSha256');
  if (promptSha256 !== null && !/^[0-9a-f]{64}$/.test(promptSha256)) {
    throw new CairnError('invalid-input', `promptSha256 must be 64 lowercase hex digits, got "${promptSha256}".`);
  }
  const startedAt = input.startedAt ?? new Date();
  const startedIso = isoTime(startedAt, 'startedAt');
  const id = newTimeOrderedId('r', startedAt);
  prepared(db, INSERT_RUN_SQL).run(id, slug, step, agent, model, effort, promptSha256, startedIso);
  return id;
}

/**
 * Records how run `id` ended, with its output capped at `maxOutputBytes` each
 * (recording the original sizes and whether they were cut). Throws
 * CairnError('not-found') for an unknown id and ('invalid-input') when the
 * run already ended.
 */
export function recordRunEnd(db: Database.Database, id: string, input: RunEndInput, maxOutputBytes: number): RunSummary {
  if (!(RUN_VERDICTS as readonly string[]).includes(input.verdict)) {
    throw new CairnError('invalid-input', `verdict must be one of ${RUN_VERDICTS.join(', ')}, got "${String(input.verdict)}".`);
  }
  const exitCode = optionalInteger(input.exitCode, 'exitCode');
  const signal = optionalText(input.signal, 'signal');
  const reason = optionalText(input.reason, 'reason');
  const endedAt = input.endedAt ?? new Date();
  const endedIso = isoTime(endedAt, 'endedAt');
  if (input.durationMs !== undefined && (!Number.isSafeInteger(input.durationMs) || input.durationMs < 0)) {
    throw new CairnError('invalid-input', `durationMs must be a non-negative integer, got ${input.durationMs}.`);
  }
  const stdout = capOutput(input.stdout, maxOutputBytes);
  const stderr = capOutput(input.stderr, maxOutputBytes);
  const end = db.transaction(() => {
    const run = prepared(db, 'SELECT seq, started_at, verdict FROM runs WHERE id = ?').get(id) as
      | { seq: number; started_at: string; verdict: string | null }
      | undefined;
    if (run === undefined) throw new CairnError('not-found', `No run "${id}" in the local store.`);
    if (run.verdict !== null) {
      throw new CairnError('invalid-input', `Run "${id}" already ended with verdict "${run.verdict}".`);
    }
    const durationMs = input.durationMs ?? Math.max(0, endedAt.getTime() - Date.parse(run.started_at));
    prepared(db, END_RUN_SQL).run(endedIso, exitCode, signal, input.verdict, reason, durationMs, run.seq);
    prepared(db, INSERT_RUN_OUTPUT_SQL).run(
      run.seq,
      stdout.totalBytes,
      stdout.truncated ? 1 : 0,
      stderr.totalBytes,
      stderr.truncated ? 1 : 0,
      stdout.bytes,
      stderr.bytes,
    );
  });
  end.immediate();
  const summary = getRunSummary(db, id);
  if (summary === null) throw new CairnError('internal', `Run "${id}" vanished after it was recorded.`);
  return summary;
}

/** One run without its output, or null when no run has that id. */
export function getRunSummary(db: Database.Database, id: string): RunSummary | null {
  const row = prepared(
    db,
    `SELECT ${SUMMARY_COLUMNS} FROM runs r LEFT JOIN run_outputs o ON o.run_seq = r.seq WHERE r.id = ?`,
  ).get(id) as RunRow | undefined;
  return row === undefined ? null : toSummary(row);
}

/** One run with its output, or null when no run has that id. */
export function getRun(db: Database.Database, id: string): RunRecord | null {
  const row = prepared(
    db,
    `SELECT ${SUMMARY_COLUMNS}, o.stdout, o.stderr FROM runs r LEFT JOIN run_outputs o ON o.run_seq = r.seq WHERE r.id = ?`,
  ).get(id) as (RunRow & { stdout: Buffer | null; stderr: Buffer | null }) | undefined;
  if (row === undefined) return null;
  return {
    ...toSummary(row),
    stdout: row.stdout === null ? null : row.stdout.toString('utf8'),
    stderr: row.stderr === null ? null : row.stderr.toString('utf8'),
  };
}

/** Runs matching `filter`, newest first (by the order they were started). */
export function listRuns(db: Database.Database, filter: RunFilter = {}): RunSummary[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.slug !== undefined) {
    where.push('r.slug = ?');
    params.push(requireText(filter.slug, 'slug'));
  }
  if (filter.step !== undefined) {
    where.push('r.step = ?');
    params.push(requireText(filter.step, 'step'));
  }
  if (filter.failedOnly === true) where.push(`r.verdict IS NOT NULL AND r.verdict <> 'accepted'`);
  const limit = optionalLimit(filter.limit);
  let sql = `SELECT ${SUMMARY_COLUMNS} FROM runs r LEFT JOIN run_outputs o ON o.run_seq = r.seq`;
  if (where.length > 0) sql += ` WHERE ${where.join(' AND ')}`;
  sql += ' ORDER BY r.seq DESC';
  if (limit !== null) {
    sql += ' LIMIT ?';
    params.push(limit);
  }
  return (prepared(db, sql).all(...params) as RunRow[]).map(toSummary);
}
