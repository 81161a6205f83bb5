import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/app/index.js';
import { run } from '../../src/cli/main.js';
import { buildProgram } from '../../src/cli/program.js';
import { examplesText } from '../../src/cli/command.js';

function capturingIo(): { io: Io; out: () => string } {
  let out = '';
  return { io: { stdout: (text) => void (out += text), stderr: () => undefined, color: false, isTty: false }, out: () => out };
}

/** Every command of the tree, as the words that name it (`['phase', 'done']`), with its commander command. */
function commandPaths(command: Command, prefix: string[] = []): { path: string[]; command: Command }[] {
  return command.commands.flatMap((sub) => {
    const path = [...prefix, sub.name()];
    return [{ path, command: sub }, ...commandPaths(sub, path)];
  });
}

const tree = buildProgram(capturingIo().io, { code: 0 });
const COMMANDS = commandPaths(tree);
const GLOBAL_FLAGS = tree.options.map((option) => option.long);

describe('every --help ends with examples', () => {
  it('lists every command', () => {
    expect(COMMANDS.map((entry) => entry.path.join(' '))).toContain('phase done');
    expect(COMMANDS.length).toBe(25);
  });

  for (const { path, command } of COMMANDS) {
    it(`cairn ${path.join(' ')} --help`, async () => {
      const { io, out } = capturingIo();
      expect(await run(['node', 'cairn', ...path, '--help'], io)).toBe(0);
      const match = /\nExamples:\n((?: {2}\$ cairn .+\n){1,3})$/.exec(out());
      expect(match, out()).not.toBeNull();
      const examples = (match?.[1] ?? '').trimEnd().split('\n').map((line) => line.replace(/^ {2}\$ cairn /, ''));
      const known = [...command.options.map((option) => option.long), ...GLOBAL_FLAGS];
      for (const example of examples) {
        expect(example.startsWith(`${path.join(' ')}`)).toBe(true);
        for (const flag of example.match(/(?<=^| )--[a-z-]+/g) ?? []) expect(known, `${flag} in "${example}"`).toContain(flag);
      }
    });
  }
});

describe('examplesText', () => {
  it('is a blank line, the heading and one indented command line per example', () => {
    expect(examplesText(['list', 'list --format json'])).toBe('\nExamples:\n  $ cairn list\n  $ cairn list --format json');
  });
});

describe('cairn without a command', () => {
  function captureBoth(): { io: Io; out: () => string; err: () => string } {
    let out = '';
    let err = '';
    return {
      io: { stdout: (text) => void (out += text), stderr: (text) => void (err += text), color: false, isTty: false },
      out: () => out,
      err: () => err,
    };
  }

  it('lists the commands in workflow order and ends with a workflow example on --help (stdout, exit 0)', async () => {
    const { io, out } = captureBoth();
    expect(await run(['node', 'cairn', '--help'], io)).toBe(0);
    const names = [...out().matchAll(/^ {2}([a-z]+) /gm)].map((match) => match[1]);
    expect(names.slice(0, 10)).toEqual(['init', 'new', 'plan', 'accept', 'refine', 'review', 'ready', 'run', 'phase', 'status']);
    expect(out()).toMatch(/\nExamples:\n {2}\$ cairn init\n(?: {2}\$ cairn .+\n)+$/);
  });

  it('is a usage error: the help on stderr, nothing on stdout, exit 2', async () => {
    for (const words of [[], ['phase']]) {
      const { io, out, err } = captureBoth();
      expect(await run(['node', 'cairn', ...words], io)).toBe(2);
      expect(out()).toBe('');
      expect(err()).toMatch(/^Usage: cairn /);
    }
  });

  it('lists the steps a step flag accepts', async () => {
    for (const words of [['plan'], ['accept']]) {
      const { io, out } = captureBoth();
      await run(['node', 'cairn', ...words, '--help'], io);
      expect(out().replace(/\s+/g, ' ')).toContain('approaches, pick-best, expand, review, revise, review-2, final-review');
    }
  });
});
