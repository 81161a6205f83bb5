import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommandTemplate, renderCommandTemplate, splitCommandTemplate } from '../../src/agent/index.js';
import { CairnError } from '../../src/util/errors.js';

function usageError(fn: () => unknown): { message: string; hint: string | undefined; code: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CairnError);
    const cairn = error as CairnError;
    return { message: cairn.message, hint: cairn.hint, code: cairn.code };
  }
  throw new Error('expected a CairnError');
}

describe('splitCommandTemplate', () => {
  const cases: [string, string[]][] = [
    ['my-agent', ['my-agent']],
    ['  my-agent   --model  x  ', ['my-agent', '--model', 'x']],
    ['a\tb\nc', ['a', 'b', 'c']],
    ["agent 'two words' x", ['agent', 'two words', 'x']],
    ['agent "two words" x', ['agent', 'two words', 'x']],
    ["agent 'it''s'", ['agent', 'its']],
    ['agent "it\'s"', ['agent', "it's"]],
    ["agent 'say \"hi\"'", ['agent', 'say "hi"']],
    ['agent "say \\"hi\\""', ['agent', 'say "hi"']],
    ['agent two\\ words', ['agent', 'two words']],
    ['agent \\"quoted\\"', ['agent', '"quoted"']],
    ['agent a\\\\b', ['agent', 'a\\b']],
    ['agent "a\\\\b"', ['agent', 'a\\b']],
    ['agent "a\\nb"', ['agent', 'a\\nb']],
    ["agent 'a\\b'", ['agent', 'a\\b']],
    ["agent '' \"\"", ['agent', '', '']],
    ['agent --x=""', ['agent', '--x=']],
    ["agent pre'mid'post", ['agent', 'premidpost']],
    ['agent one\\\ntwo', ['agent', 'onetwo']],
    ['agent "line\\\njoined"', ['agent', 'linejoined']],
    ["agent '$HOME' \\$HOME \"\\$HOME\"", ['agent', '$HOME', '$HOME', '$HOME']],
    ["agent '|' '&&' ';' '>' '<' '(' ')'", ['agent', '|', '&&', ';', '>', '<', '(', ')']],
    ['agent *.md ~/x {model}', ['agent', '*.md', '~/x', '{model}']],
    ['agent "ünïcödé 🦉"', ['agent', 'ünïcödé 🦉']],
  ];
  it.each(cases)('splits %j', (template, argv) => {
    expect(splitCommandTemplate(template)).toEqual(argv);
  });

  it('refuses what only a shell would understand', () => {
    expect(usageError(() => splitCommandTemplate('agent | tee log'))).toEqual({
      code: 'usage',
      message: "--agent-cmd contains an unquoted '|'",
      hint:
        'cairn runs the agent command directly, without a shell. Quote the character if it is meant literally, ' +
        'or put the pipeline in a script and name the script in --agent-cmd.',
    });
    expect(usageError(() => splitCommandTemplate('agent --model $MODEL')).message).toBe(
      "--agent-cmd contains an unquoted '$'",
    );
    expect(usageError(() => splitCommandTemplate('agent `x`')).message).toBe('--agent-cmd contains an unquoted backtick');
    expect(usageError(() => splitCommandTemplate('agent > out')).message).toBe("--agent-cmd contains an unquoted '>'");
    expect(usageError(() => splitCommandTemplate('a; b')).message).toBe("--agent-cmd contains an unquoted ';'");
    expect(usageError(() => splitCommandTemplate('agent "$HOME"'))).toEqual({
      code: 'usage',
      message: "--agent-cmd contains '$' inside double quotes; cairn does not expand variables or commands",
      hint: 'Use single quotes or a backslash if it is meant literally.',
    });
  });

  it('refuses unterminated quotes, a trailing backslash and an empty template', () => {
    expect(usageError(() => splitCommandTemplate("agent 'open")).message).toBe(
      '--agent-cmd has an unterminated single quote',
    );
    expect(usageError(() => splitCommandTemplate('agent "open')).message).toBe(
      '--agent-cmd has an unterminated double quote',
    );
    expect(usageError(() => splitCommandTemplate('agent \\')).message).toBe('--agent-cmd ends with a backslash');
    expect(usageError(() => splitCommandTemplate('   '))).toEqual({
      code: 'usage',
      message: '--agent-cmd is empty',
      hint: "Pass the agent's command line, e.g. --agent-cmd 'my-agent --model {model}'.",
    });
  });

  it('single-quoting any word list splits back to the same words', () => {
    const word = fc.string({ unit: 'grapheme', maxLength: 12 });
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), (words) => {
        const template = words.map((w) => `'${w.split("'").join("'\\''")}'`).join(' ');
        expect(splitCommandTemplate(template)).toEqual(words);
      }),
    );
  });
});

describe('renderCommandTemplate', () => {
  const values = {
    model: 'gpt 5',
    effort: 'high',
    step: 'pick-best',
    slug: 'my-slug',
    workspace: '/repo/.planning/work/my slug/run/my-slug',
  };
  const cases: [string, string[]][] = [
    ['my-agent --model {model} --effort {effort}', ['my-agent', '--model', 'gpt 5', '--effort', 'high']],
    ['my-agent --model={model}', ['my-agent', '--model=gpt 5']],
    ['my-agent {step}:{slug}', ['my-agent', 'pick-best:my-slug']],
    ['my-agent --dir {workspace}', ['my-agent', '--dir', '/repo/.planning/work/my slug/run/my-slug']],
    ["my-agent '{model}'", ['my-agent', 'gpt 5']],
    ['my-agent {{model}} {{{model}}}', ['my-agent', '{model}', '{gpt 5}']],
    ["my-agent '{\"a\": 1}' {} { model }", ['my-agent', '{"a": 1}', '{}', '{', 'model', '}']],
    ['my-agent {model}{model}', ['my-agent', 'gpt 5gpt 5']],
  ];
  it.each(cases)('renders %j', (template, argv) => {
    expect(renderCommandTemplate(template, values)).toEqual(argv);
  });

  it('substitutes values verbatim, never re-splitting or interpreting them', () => {
    const argv = renderCommandTemplate('agent --model {model}', { model: "x'; rm -rf / #" });
    expect(argv).toEqual(['agent', '--model', "x'; rm -rf / #"]);
  });

  it('refuses an unknown placeholder, naming the known ones', () => {
    expect(usageError(() => renderCommandTemplate('agent --temp {temperature}', values))).toEqual({
      code: 'usage',
      message: '--agent-cmd uses an unknown placeholder {temperature}',
      hint: 'Known placeholders: {model}, {effort}, {step}, {slug}, {workspace}. Write {{ and }} for literal braces.',
    });
    expect(usageError(() => parseCommandTemplate('agent {Model}')).message).toBe(
      '--agent-cmd uses an unknown placeholder {Model}',
    );
  });

  it('refuses a used placeholder without a value', () => {
    expect(usageError(() => renderCommandTemplate('agent --model {model}', { effort: 'low' }))).toEqual({
      code: 'usage',
      message: '--agent-cmd uses {model}, but no model is set',
      hint: 'Pass --model, or set "model" in your user config, or remove {model} from the template.',
    });
    expect(usageError(() => renderCommandTemplate('agent {effort}', { effort: null })).message).toBe(
      '--agent-cmd uses {effort}, but no effort is set',
    );
    // Unused placeholders need no value.
    expect(renderCommandTemplate('agent', {})).toEqual(['agent']);
  });

  it('lists the placeholders a template uses', () => {
    expect(parseCommandTemplate('a {slug} {model} {slug} {{effort}}').placeholders).toEqual(['slug', 'model']);
  });
});
