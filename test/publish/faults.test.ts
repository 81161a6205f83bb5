import { afterEach, describe, expect, it } from 'vitest';
import { CRASH_ENV, FAULT_ENV, crashPoint, faultPoint } from '../../src/publish/faults.js';

afterEach(() => {
  delete process.env[FAULT_ENV];
  delete process.env[CRASH_ENV];
});

describe('fault and crash points', () => {
  it('are inert unless their variable names them', () => {
    expect(() => faultPoint('stage-copy')).not.toThrow();
    process.env[FAULT_ENV] = 'journal-write:ENOSPC';
    expect(() => faultPoint('stage-copy')).not.toThrow();
    process.env[CRASH_ENV] = 'journal-written';
    crashPoint('lock-taken');
    expect(process.exitCode ?? 0).toBe(0);
  });

  it('throw an fs-style error with code and errno', () => {
    for (const [code, errno] of [
      ['ENOSPC', -28],
      ['EACCES', -13],
      ['EXDEV', -18],
      ['EIO', -5],
    ] as const) {
      process.env[FAULT_ENV] = `stage-copy:${code}`;
      let caught: NodeJS.ErrnoException | undefined;
      try {
        faultPoint('stage-copy');
      } catch (error) {
        caught = error as NodeJS.ErrnoException;
      }
      expect(caught?.code).toBe(code);
      expect(caught?.errno).toBe(errno);
      expect(caught?.message.startsWith(`${code}: `)).toBe(true);
    }
    process.env[FAULT_ENV] = 'stage-copy:EWHAT';
    expect(() => faultPoint('stage-copy')).not.toThrow();
  });
});
