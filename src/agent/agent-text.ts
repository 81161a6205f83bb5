import { CairnError } from '../util/index.js';
import type { AgentOutputMode } from './presets.js';

/*
 * The stage text of an agent run. claude's stream-json output is one JSON
 * event per line; the run ends with a `{"type":"result", …, "result":
 * "<final text>"}` event, whose text is what the stage records for claude
 * (docs/format.md §9.3).
 */

interface ResultEvent {
  text: string;
  isError: boolean;
  subtype: string | null;
}

function parseResultEvent(line: string): ResultEvent | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return null;
  let event: unknown;
  try {
    event = JSON.parse(trimmed);
  } catch {
    return null;
  }
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return null;
  const record = event as Record<string, unknown>;
  if (record.type !== 'result' || typeof record.result !== 'string') return null;
  return {
    text: record.result,
    isError: record.is_error === true,
    subtype: typeof record.subtype === 'string' ? record.subtype : null,
  };
}

function lastResultEvent(text: string): ResultEvent | null {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const event = parseResultEvent(lines[i] as string);
    if (event !== null) return event;
  }
  return null;
}

/**
 * The text an agent answered: `raw` ⇒ `stdout` unchanged; `claude-stream-json`
 * ⇒ the `result` of the last result event, looked up first in `tail` (the
 * end of an output too large to keep whole, see `AgentRunResult.stdoutTail`)
 * and then in `stdout`. Lines that are not JSON are skipped. Throws
 * `CairnError('failed')` when there is no result event or claude reports
 * the run as an error.
 */
export function extractAgentText(outputMode: AgentOutputMode, stdout: string, tail?: string | null): string {
  if (outputMode === 'raw') return stdout;
  const event = (tail !== undefined && tail !== null ? lastResultEvent(tail) : null) ?? lastResultEvent(stdout);
  if (event === null) {
    throw new CairnError('failed', 'claude printed no result event in its stream-json output', {
      hint: 'Run with --show-agent-logs to see what it printed.',
    });
  }
  if (event.isError) {
    const kind = event.subtype === null ? '' : ` (${event.subtype})`;
    const detail = event.text.trim() === '' ? '' : `: ${event.text.trim()}`;
    throw new CairnError('failed', `claude reported an error${kind}${detail}`);
  }
  return event.text;
}
