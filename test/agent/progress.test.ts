import { afterEach, describe, expect, it } from 'vitest';
import { runAgent } from '../../src/agent/run.js';
import { formatAgentProgress, progressSubject, setAgentProgressSink } from '../../src/agent/progress.js';
import { tempDir } from '../support/tmp.js';

afterEach(() => setAgentProgressSink(null));

describe('formatAgentProgress', () => {
  it('says what runs, whole seconds elapsed and the output so far', () => {
    expect(formatAgentProgress('expand for alpha', 72_900, 34 * 1024 + 5)).toBe('running expand for alpha: 72 s, 34 KiB');
    expect(formatAgentProgress('claude', 999, 512)).toBe('running claude: 0 s, 512 B');
    expect(formatAgentProgress('claude', 3000, 3 * 1024 * 1024 + 512 * 1024)).toBe('running claude: 3 s, 3.5 MiB');
  });

  it('names the step and migration from the environment, else the command', () => {
    expect(progressSubject({ CAIRN_STEP: 'expand', CAIRN_SLUG: 'alpha' }, 'claude')).toBe('expand for alpha');
    expect(progressSubject({ CAIRN_STEP: 'expand' }, 'claude')).toBe('claude');
    expect(progressSubject(undefined, 'claude')).toBe('claude');
  });
});

describe('the progress line of a run', () => {
  it('is cleared once when the agent ends, and every update is a progress line', async () => {
    const updates: string[] = [];
    let clears = 0;
    setAgentProgressSink({ update: (line) => updates.push(line), clear: () => (clears += 1) });
    const result = await runAgent({ argv: ['sh', '-c', 'printf abc'], cwd: tempDir('cairn-progress-'), prompt: '', env: { CAIRN_STEP: 'expand', CAIRN_SLUG: 'alpha' } });
    expect(result.stdout).toBe('abc');
    expect(clears).toBe(1);
    for (const line of updates) expect(line).toMatch(/^running expand for alpha: \d+ s, \d+ B$/);
  });

  it('is never shown without a sink (stderr not a terminal)', async () => {
    const result = await runAgent({ argv: ['sh', '-c', 'printf abc'], cwd: tempDir('cairn-progress-'), prompt: '' });
    expect([result.exitCode, result.stdout, result.stderr]).toEqual([0, 'abc', '']);
  });
});
