import { CairnError } from '../util/index.js';

/*
 * `--agent-cmd` templates: a command line split into argv words with the
 * quoting rules of a POSIX shell, but never run through a shell. Placeholders
 * are replaced inside each word after splitting, so a substituted value
 * (a path with spaces, a model name with quotes) is always exactly one
 * argument and can never inject another.
 */

/** The placeholders a command template may use. */
export const TEMPLATE_PLACEHOLDERS = ['model', 'effort', 'step', 'slug', 'workspace'] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

/** Values for the placeholders; a placeholder the template uses must have a non-null value. */
export type TemplateValues = Partial<Record<TemplatePlaceholder, string | null>>;

/** Characters a shell would treat specially; cairn refuses them unquoted rather than pass them on literally. */
const SHELL_OPERATORS = new Set(['|', '&', ';', '<', '>', '(', ')', '$', '`']);
const WORD_BREAKS = new Set([' ', '\t', '\n']);
/** Characters a backslash escapes inside double quotes (POSIX); before any other, the backslash stays. */
const DOUBLE_QUOTE_ESCAPES = new Set(['$', '`', '"', '\\', '\n']);

const NO_SHELL_HINT =
  'cairn runs the agent command directly, without a shell. Quote the character if it is meant literally, ' +
  'or put the pipeline in a script and name the script in --agent-cmd.';

function templateError(message: string, hint?: string): CairnError {
  return new CairnError('usage', message, hint === undefined ? {} : { hint });
}

function describeChar(char: string): string {
  return char === '`' ? 'backtick' : `'${char}'`;
}

/**
 * Splits `template` into argv words: whitespace separates words; single
 * quotes keep everything literally; double quotes keep everything except
 * that a backslash escapes `"`, `\`, `$`, a backtick or a newline; outside
 * quotes a backslash escapes any character (backslash-newline joins lines);
 * `''` and `""` make an empty word. Shell operators and expansions
 * (`| & ; < > ( ) $` and backticks) are refused unless quoted or escaped,
 * since no shell would interpret them. Throws `CairnError('usage')` for
 * those, an unterminated quote, a trailing backslash or an empty template.
 */
export function splitCommandTemplate(template: string): string[] {
  const words: string[] = [];
  let word = '';
  let started = false;
  let i = 0;
  const chars = Array.from(template);
  while (i < chars.length) {
    const char = chars[i] as string;
    if (WORD_BREAKS.has(char)) {
      if (started) words.push(word);
      word = '';
      started = false;
      i++;
      continue;
    }
    started = true;
    if (char === "'") {
      const end = chars.indexOf("'", i + 1);
      if (end < 0) throw templateError('--agent-cmd has an unterminated single quote');
      word += chars.slice(i + 1, end).join('');
      i = end + 1;
      continue;
    }
    if (char === '"') {
      i = readDoubleQuoted(chars, i + 1, (text) => {
        word += text;
      });
      continue;
    }
    if (char === '\\') {
      const next = chars[i + 1];
      if (next === undefined) throw templateError('--agent-cmd ends with a backslash');
      if (next !== '\n') word += next;
      i += 2;
      continue;
    }
    if (SHELL_OPERATORS.has(char)) {
      throw templateError(`--agent-cmd contains an unquoted ${describeChar(char)}`, NO_SHELL_HINT);
    }
    word += char;
    i++;
  }
  if (started) words.push(word);
  if (words.length === 0) throw templateError('--agent-cmd is empty', "Pass the agent's command line, e.g. --agent-cmd 'my-agent --model {model}'.");
  return words;
}

/** Reads a double-quoted span starting after the opening quote; returns the index after the closing quote. */
function readDoubleQuoted(chars: string[], start: number, append: (text: string) => void): number {
  let i = start;
  while (i < chars.length) {
    const char = chars[i] as string;
    if (char === '"') return i + 1;
    if (char === '\\') {
      const next = chars[i + 1];
      if (next !== undefined && DOUBLE_QUOTE_ESCAPES.has(next)) {
        if (next !== '\n') append(next);
        i += 2;
        continue;
      }
      append('\\');
      i++;
      continue;
    }
    if (char === '$' || char === '`') {
      throw templateError(
        `--agent-cmd contains ${describeChar(char)} inside double quotes; cairn does not expand variables or commands`,
        "Use single quotes or a backslash if it is meant literally.",
      );
    }
    append(char);
    i++;
  }
  throw templateError('--agent-cmd has an unterminated double quote');
}

type WordPart = { text: string } | { placeholder: TemplatePlaceholder };

const PLACEHOLDER_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function isPlaceholder(name: string): name is TemplatePlaceholder {
  return (TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name);
}

function knownPlaceholders(): string {
  return TEMPLATE_PLACEHOLDERS.map((name) => `{${name}}`).join(', ');
}

/**
 * Splits one word into literal text and placeholders. `{name}` (a name of
 * letters, digits, `_` and `-`) is a placeholder and must be a known one;
 * `{{` and `}}` are literal braces; any other brace is literal (so JSON
 * arguments such as `{"a":1}` pass through).
 */
function parseWord(word: string): WordPart[] {
  const parts: WordPart[] = [];
  let text = '';
  let i = 0;
  while (i < word.length) {
    const char = word[i] as string;
    if ((char === '{' || char === '}') && word[i + 1] === char) {
      text += char;
      i += 2;
      continue;
    }
    if (char === '{') {
      const end = word.indexOf('}', i + 1);
      const name = end < 0 ? '' : word.slice(i + 1, end);
      if (end >= 0 && PLACEHOLDER_NAME.test(name)) {
        if (!isPlaceholder(name)) {
          throw templateError(
            `--agent-cmd uses an unknown placeholder {${name}}`,
            `Known placeholders: ${knownPlaceholders()}. Write {{ and }} for literal braces.`,
          );
        }
        if (text !== '') parts.push({ text });
        text = '';
        parts.push({ placeholder: name });
        i = end + 1;
        continue;
      }
    }
    text += char;
    i++;
  }
  if (text !== '' || parts.length === 0) parts.push({ text });
  return parts;
}

/** A command template split into words, with every placeholder checked. */
export interface ParsedCommandTemplate {
  readonly template: string;
  readonly words: readonly (readonly WordPart[])[];
  /** The distinct placeholders used, in first-use order. */
  readonly placeholders: readonly TemplatePlaceholder[];
}

/**
 * Parses a command template (see `splitCommandTemplate`) and checks its
 * placeholders; use it to validate a template before any value is known.
 * Throws `CairnError('usage')`.
 */
export function parseCommandTemplate(template: string): ParsedCommandTemplate {
  const words = splitCommandTemplate(template).map(parseWord);
  const placeholders: TemplatePlaceholder[] = [];
  for (const parts of words) {
    for (const part of parts) {
      if ('placeholder' in part && !placeholders.includes(part.placeholder)) placeholders.push(part.placeholder);
    }
  }
  return { template, words, placeholders };
}

const MISSING_VALUE_HINTS: Record<TemplatePlaceholder, string> = {
  model: 'Pass --model, or set "model" in your user config, or remove {model} from the template.',
  effort: 'Pass --effort low|medium|high|xhigh, or set "effort" in your user config, or remove {effort} from the template.',
  step: 'The step is known only when cairn runs a planning step.',
  slug: 'The migration slug is known only when cairn runs a planning step.',
  workspace: 'The workspace is known only when cairn runs a planning step.',
};

/**
 * The argv of a command template with every placeholder replaced by its
 * value (each word stays one argument whatever the value holds). A used
 * placeholder without a value is `CairnError('usage')` naming it.
 */
export function renderCommandTemplate(template: string | ParsedCommandTemplate, values: TemplateValues): string[] {
  const parsed = typeof template === 'string' ? parseCommandTemplate(template) : template;
  for (const name of parsed.placeholders) {
    const value = values[name];
    if (value === undefined || value === null) {
      throw templateError(`--agent-cmd uses {${name}}, but no ${name} is set`, MISSING_VALUE_HINTS[name]);
    }
  }
  return parsed.words.map((parts) =>
    parts.map((part) => ('placeholder' in part ? (values[part.placeholder] as string) : part.text)).join(''),
  );
}
