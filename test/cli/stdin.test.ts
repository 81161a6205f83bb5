import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readStdin } from '../../src/cli/stdin.js';

describe('readStdin', () => {
  it('joins every chunk of the input', async () => {
    const bytes = await readStdin(10, () => new Error('too large'), Readable.from([Buffer.from('abc'), Buffer.from('def')]));
    expect(bytes.toString('utf8')).toBe('abcdef');
  });

  it('refuses input longer than the limit with the given error', async () => {
    await expect(readStdin(5, () => new Error('too large'), Readable.from([Buffer.from('abc'), Buffer.from('def')]))).rejects.toThrow('too large');
  });

  it('takes exactly the limit', async () => {
    const bytes = await readStdin(6, () => new Error('too large'), Readable.from([Buffer.from('abcdef')]));
    expect(bytes.length).toBe(6);
  });
});
