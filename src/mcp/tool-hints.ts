/*
 * The library's hints name CLI commands (`cairn plan x --agent manual`).
 * An MCP client acts through tools, so every quoted command that has a tool
 * is rewritten as that tool call ("Call the next_prompt tool with
 * {"slug":"x"}"); a command that only a person may run (review, trust,
 * recover, …) and that the hint tells to run becomes something to ask the
 * user for.
 */

/** An MCP tool call that does what a CLI command does. */
export interface ToolCall {
  tool: string;
  arguments: Record<string, string>;
}

/** The words of a command as `shellWord` quotes them: bare, '…' (with '"'"' for a quote) or "…". */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let i = 0;
  while (i < command.length) {
    const char = command[i] as string;
    if (char === ' ' || char === '\t') {
      if (word !== null) words.push(word);
      word = null;
      i += 1;
    } else if (char === "'" || char === '"') {
      const end = command.indexOf(char, i + 1);
      const stop = end === -1 ? command.length : end;
      word = (word ?? '') + command.slice(i + 1, stop);
      i = stop + 1;
    } else {
      word = (word ?? '') + char;
      i += 1;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** The positional arguments of `words` (options and their values left out). */
function positionals(words: readonly string[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word.startsWith('--')) {
      // `--flag value` when the next word is not itself an option and the flag takes a value.
      if (!word.includes('=') && VALUE_FLAGS.has(word) && i + 1 < words.length) i += 1;
      continue;
    }
    found.push(word);
  }
  return found;
}

const VALUE_FLAGS = new Set(['--agent', '--agent-cmd', '--target', '--step', '--until', '--file', '--message', '--format', '--lock-timeout', '--validate', '--model', '--effort', '--severity', '--status', '--repo', '--migrations-dir', '--show', '--limit']);

/** The tool doing what `cairn <words>` does, or null when only a person may run it. */
export function toolFor(words: readonly string[]): ToolCall | null {
  const [command, ...rest] = words;
  const args = positionals(rest);
  const withSlug = (tool: string, slug: string | undefined): ToolCall => ({ tool, arguments: slug === undefined ? {} : { slug } });
  switch (command) {
    case 'plan':
      return withSlug('next_prompt', args[0]);
    case 'accept':
      return withSlug('accept', args[0]);
    case 'status':
      return withSlug('status', args[0]);
    case 'refine':
      return withSlug('refine', args[0]);
    case 'doctor':
      return withSlug('doctor', args[0]);
    case 'list':
      return withSlug('list', undefined);
    case 'ready':
      return withSlug('ready', undefined);
    case 'log':
      return withSlug('log', args[0]);
    case 'new':
      return withSlug('new', args[0]);
    case 'run':
      return args[0] === undefined ? null : withSlug('next_phase', args[0]);
    case 'phase':
      return args[0] === 'done' ? withSlug('phase_done', args[1]) : null;
    case 'recover':
      return rest.includes('--dry-run') ? withSlug('recover_dry_run', undefined) : null;
    default:
      return null;
  }
}

function callText(call: ToolCall): string {
  const tool = `the ${call.tool} tool`;
  return Object.keys(call.arguments).length === 0 ? tool : `${tool} with ${JSON.stringify(call.arguments)}`;
}

/** A quoted command, with the verb or colon before it: `Run` becomes `Call`, `: ` gets a `call`. */
const QUOTED_COMMAND = /(\b[Rr]un |: )?`cairn ([^`]*)`/g;

/** `hint` with each quoted `cairn …` command replaced by its tool call, or by a request to the user. */
export function toolHint(hint: string): string {
  return hint.replace(QUOTED_COMMAND, (match: string, run: string | undefined, command: string) => {
    const call = toolFor(shellWords(command));
    if (run === ': ') return call === null ? match : `: call ${callText(call)}`;
    const capital = run?.startsWith('R') === true;
    if (call !== null) return run === undefined ? callText(call) : `${capital ? 'Call' : 'call'} ${callText(call)}`;
    if (run === undefined) return match;
    return `${capital ? 'Ask' : 'ask'} the user to run ${match.slice(run.length)}`;
  });
}
