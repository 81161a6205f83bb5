/*
 * `--show-agent-logs` for claude: its stream-json output, one JSON event per
 * line, mirrored as text a person can follow: what the assistant says, the
 * tools it calls, and the final result. Lines that are not events pass
 * through as they are.
 */

/** How long a tool call's input may be in the mirrored line. */
const TOOL_INPUT_LIMIT = 120;

type Content = { type?: unknown; text?: unknown; name?: unknown; input?: unknown };

function record(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? '';
  return text.length <= TOOL_INPUT_LIMIT ? text : `${text.slice(0, TOOL_INPUT_LIMIT - 1)}…`;
}

/** The readable lines of one stream-json event, or null when `line` is not one. */
export function streamJsonEventText(line: string): string | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return null;
  let event: Record<string, unknown> | null;
  try {
    event = record(JSON.parse(trimmed));
  } catch {
    return null;
  }
  if (event === null || typeof event.type !== 'string') return null;
  if (event.type === 'assistant') {
    const content = record(event.message)?.content;
    if (!Array.isArray(content)) return '';
    return (content as Content[])
      .map((part) => {
        if (part.type === 'text' && typeof part.text === 'string') return part.text.endsWith('\n') ? part.text : `${part.text}\n`;
        if (part.type === 'tool_use' && typeof part.name === 'string') return `→ ${part.name} ${shortJson(part.input)}\n`;
        return '';
      })
      .join('');
  }
  if (event.type === 'result') {
    const outcome = event.is_error === true ? 'failed' : 'finished';
    const seconds = typeof event.duration_ms === 'number' ? ` in ${(event.duration_ms / 1000).toFixed(1)} s` : '';
    return `[claude ${outcome}${seconds}]\n`;
  }
  return '';
}

/**
 * A mirror for claude's stdout: whole lines are rendered with
 * {@link streamJsonEventText} (non-event lines kept), a partial line waits for
 * its end.
 */
export function readableStreamJsonMirror(write: (text: string) => void): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString('utf8');
    const end = pending.lastIndexOf('\n');
    if (end === -1) return;
    const lines = pending.slice(0, end).split('\n');
    pending = pending.slice(end + 1);
    const text = lines.map((line) => streamJsonEventText(line) ?? `${line}\n`).join('');
    if (text !== '') write(text);
  };
}
