import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellWord } from '../../src/util/index.js';

describe('shellWord', () => {
  it('prints a word of safe characters as is', () => {
    expect(shellWord('alpha-2026_x.y/z:@%+=,')).toBe('alpha-2026_x.y/z:@%+=,');
  });

  it('single-quotes anything else, the empty string as two quotes', () => {
    expect(shellWord('my ready $HOME')).toBe("'my ready $HOME'");
    expect(shellWord("it's $HOME")).toBe(`'it'"'"'s $HOME'`);
    expect(shellWord('')).toBe("''");
    expect(shellWord('a;b')).toBe("'a;b'");
  });

  it('double-quotes a word holding a single quote and nothing double quotes would interpret', () => {
    expect(shellWord("it's")).toBe(`"it's"`);
    expect(shellWord("'/usr/bin/node' '/opt/agent.js'")).toBe(`"'/usr/bin/node' '/opt/agent.js'"`);
    expect(shellWord('it\'s "x"')).toBe(`'it'"'"'s "x"'`);
    expect(shellWord("it's!")).toBe(`'it'"'"'s!'`);
  });

  it('reads back as the same single word in sh', () => {
    for (const word of ["it's $HOME", "it's", "'a' 'b'", '', 'a b\tc\nd', '*?[x]`x`"y"\\']) {
      const echoed = spawnSync('sh', ['-c', `printf '%s' ${shellWord(word)}`], { encoding: 'utf8' });
      expect(echoed.stdout).toBe(word);
    }
  });
});
