import { describe, expect, it } from 'vitest';
import { readableStreamJsonMirror, streamJsonEventText } from '../../src/agent/index.js';

describe('streamJsonEventText', () => {
  it('renders what the assistant says and the tools it calls, and the end of the run', () => {
    expect(streamJsonEventText('{"type":"assistant","message":{"content":[{"type":"text","text":"Reading plan.md"}]}}')).toBe('Reading plan.md\n');
    expect(streamJsonEventText('{"type":"assistant","message":{"content":[{"type":"tool_use","name":"Write","input":{"file_path":"a.md"}}]}}')).toBe(
      '→ Write {"file_path":"a.md"}\n',
    );
    expect(streamJsonEventText('{"type":"result","subtype":"success","is_error":false,"duration_ms":1250,"result":"done"}')).toBe('[claude finished in 1.3 s]\n');
    expect(streamJsonEventText('{"type":"result","is_error":true,"result":"x"}')).toBe('[claude failed]\n');
  });

  it('drops events with nothing to read and shortens long tool input', () => {
    expect(streamJsonEventText('{"type":"system","subtype":"init","tools":[]}')).toBe('');
    expect(streamJsonEventText('{"type":"user","message":{"content":[{"type":"tool_result","content":"..."}]}}')).toBe('');
    const long = streamJsonEventText(`{"type":"assistant","message":{"content":[{"type":"tool_use","name":"Bash","input":{"command":"${'x'.repeat(300)}"}}]}}`);
    expect(long).toBe(`→ Bash ${`{"command":"${'x'.repeat(300)}"}`.slice(0, 119)}…\n`);
  });

  it('is null for a line that is not an event', () => {
    expect(streamJsonEventText('warning: something')).toBeNull();
    expect(streamJsonEventText('{not json')).toBeNull();
    expect(streamJsonEventText('{"no":"type"}')).toBeNull();
  });
});

describe('readableStreamJsonMirror', () => {
  it('renders whole lines, keeps other lines, and waits for the end of a partial one', () => {
    const out: string[] = [];
    const mirror = readableStreamJsonMirror((text) => out.push(text));
    mirror(Buffer.from('{"type":"assistant","message":{"content":[{"type":"text","text":"Hel'));
    expect(out).toEqual([]);
    mirror(Buffer.from('lo"}]}}\nplain line\n{"type":"system"}\n'));
    expect(out).toEqual(['Hello\nplain line\n']);
  });
});
