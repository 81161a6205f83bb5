import { describe, expect, it } from 'vitest';
import { colorWanted } from '../../src/cli/color.js';
import { runCli } from '../support/cli.js';
import { fixtureRepo } from '../support/repo.js';

describe('colorWanted', () => {
  it('is on for a terminal and off when piped', () => {
    expect(colorWanted({}, true)).toBe(true);
    expect(colorWanted({}, false)).toBe(false);
  });

  it('is off for NO_COLOR with any non-empty value, even with FORCE_COLOR; an empty NO_COLOR counts as unset', () => {
    expect(colorWanted({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorWanted({ NO_COLOR: '1', FORCE_COLOR: '1' }, false)).toBe(false);
    expect(colorWanted({ NO_COLOR: '' }, true)).toBe(true);
  });

  it('is on for FORCE_COLOR when piped, except FORCE_COLOR=0 or false', () => {
    expect(colorWanted({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colorWanted({ FORCE_COLOR: '' }, false)).toBe(true);
    expect(colorWanted({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(colorWanted({ FORCE_COLOR: 'false' }, true)).toBe(false);
  });

  it('is off on a TERM=dumb terminal unless forced', () => {
    expect(colorWanted({ TERM: 'dumb' }, true)).toBe(false);
    expect(colorWanted({ TERM: 'dumb', FORCE_COLOR: '1' }, true)).toBe(true);
  });
});

describe('FORCE_COLOR through the CLI', () => {
  it('colours piped output when asked, and only then', () => {
    const repo = fixtureRepo();
    const forced = runCli(['doctor', '--all'], { cwd: repo, env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    const plain = runCli(['doctor', '--all'], { cwd: repo, env: { NO_COLOR: '' } });
    expect(forced.stdout).toContain('\u001b[');
    expect(plain.stdout).not.toContain('\u001b[');
  });
});
