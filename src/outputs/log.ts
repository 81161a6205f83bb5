import * as z from 'zod';
import { RUN_VERDICTS, type EventRecord, type RunSummary } from '../store/index.js';
import { utcTimestamp } from '../util/index.js';
import { jsonDocument } from './document.js';

/** A time the store recorded (an ISO instant), in the style of every other timestamp cairn shows: `…+00:00`. */
export function storeTime(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : utcTimestamp(at);
}

export const RunJsonSchema = z.strictObject({
  id: z.string(),
  slug: z.string(),
  step: z.string(),
  agent: z.string(),
  model: z.string().nullable(),
  effort: z.string().nullable(),
  prompt_sha256: z.string().nullable(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  exit_code: z.int().nullable(),
  signal: z.string().nullable(),
  verdict: z.enum(RUN_VERDICTS).nullable().describe('null while the run has not ended.'),
  reason: z.string().nullable(),
  duration_ms: z.number().nullable(),
  stdout_bytes: z.int().nullable(),
  stdout_truncated: z.boolean(),
  stderr_bytes: z.int().nullable(),
  stderr_truncated: z.boolean(),
}).meta({ id: 'Run' });

export const EventJsonSchema = z.strictObject({
  id: z.string(),
  at: z.string(),
  slug: z.string().nullable(),
  kind: z.string().describe('e.g. publish.published, publish.blocked, recovery, review, lock.reclaimed.'),
  details: z.json(),
});

export const LogListOutputSchema = jsonDocument(
  { runs: z.array(RunJsonSchema), events: z.array(EventJsonSchema) },
  'Output of `cairn log --format json`: agent runs and events, newest first.',
);

export const LogShowOutputSchema = jsonDocument(
  { run: RunJsonSchema.extend({ stdout: z.string().nullable(), stderr: z.string().nullable() }) },
  'Output of `cairn log --show <run-id> --format json`.',
);

export const LogOutputSchema = z.union([LogListOutputSchema, LogShowOutputSchema]).describe('Output of `cairn log --format json`.');

export function runJson(run: RunSummary): z.infer<typeof RunJsonSchema> {
  return {
    id: run.id,
    slug: run.slug,
    step: run.step,
    agent: run.agent,
    model: run.model,
    effort: run.effort,
    prompt_sha256: run.promptSha256,
    started_at: storeTime(run.startedAt),
    ended_at: run.endedAt === null ? null : storeTime(run.endedAt),
    exit_code: run.exitCode,
    signal: run.signal,
    verdict: run.verdict,
    reason: run.reason,
    duration_ms: run.durationMs,
    stdout_bytes: run.stdoutBytes,
    stdout_truncated: run.stdoutTruncated,
    stderr_bytes: run.stderrBytes,
    stderr_truncated: run.stderrTruncated,
  };
}

export function eventJson(event: EventRecord): z.infer<typeof EventJsonSchema> {
  return { id: event.id, at: storeTime(event.at), slug: event.slug, kind: event.kind, details: event.details };
}
