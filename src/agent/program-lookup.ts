import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { CairnError, shellWord } from '../util/index.js';
import { resolveAgentCommand } from './presets.js';
import { splitCommandTemplate } from './template.js';
import type { AgentSettings } from './user-config.js';

/*
 * The agent's program is looked up before any workspace is made, so a
 * missing program is refused at once instead of after a run directory
 * exists and the spawn fails.
 */

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The executable file `program` (a bare name) names on `searchPath` (a PATH value), or null. */
export function findOnPath(program: string, searchPath: string | undefined): string | null {
  for (const dir of (searchPath ?? '').split(path.delimiter)) {
    // An empty PATH entry means the current directory.
    const file = path.resolve(dir === '' ? '.' : dir, program);
    if (isExecutableFile(file)) return file;
  }
  return null;
}

/** The program an agent choice starts (argv[0]); null for manual mode or a first word built from placeholders. */
function agentProgram(settings: AgentSettings): string | null {
  if (settings.agent === 'manual') return null;
  if (settings.agent === 'command') {
    const first = splitCommandTemplate(settings.agentCmd ?? '')[0];
    return first === undefined || first.includes('{') ? null : first;
  }
  const command = resolveAgentCommand({ agent: settings.agent, model: settings.model, effort: settings.effort });
  return command.kind === 'process' ? (command.argv[0] ?? null) : null;
}

/** `NAME=value` as a command's first word: a shell's environment assignment, which cairn (running no shell) would take for the program. */
const ENV_ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * Refuses (`CairnError('usage')`, exit 2) an agent command template whose
 * first word is an environment assignment: agent commands run without a
 * shell, so `FOO=1 my-agent` would start a program named `FOO=1`. Checked
 * in dry runs too, where the program itself is not looked up.
 */
export function checkAgentCommandShape(settings: AgentSettings): void {
  if (settings.agent !== 'command') return;
  const first = splitCommandTemplate(settings.agentCmd ?? '')[0];
  if (first === undefined || !ENV_ASSIGNMENT.test(first)) return;
  throw new CairnError('usage', `The agent command starts with the environment assignment '${first}': cairn runs agent commands without a shell, so it would look for a program named '${first}'.`, {
    hint: `Put env first: --agent-cmd ${shellWord(`env ${settings.agentCmd ?? ''}`)}.`,
  });
}

/**
 * Refuses (`CairnError('usage')`, exit 2) an agent whose program is not on
 * PATH, or, given as an absolute path, is no executable file. A relative
 * path with a slash is left to the spawn: it is resolved in the agent's
 * working directory, which does not exist yet.
 */
export function checkAgentProgram(settings: AgentSettings, env: NodeJS.ProcessEnv = process.env): void {
  checkAgentCommandShape(settings);
  const program = agentProgram(settings);
  if (program === null) return;
  const how =
    settings.agent === 'command'
      ? 'install it, or pass --agent-cmd with a command that exists'
      : `install ${program}, or choose another agent with --agent`;
  if (path.isAbsolute(program)) {
    if (isExecutableFile(program)) return;
    throw new CairnError('usage', `Agent command '${program}' is not an executable file: ${how}. Nothing was started.`);
  }
  if (program.includes('/')) return;
  if (findOnPath(program, env.PATH) !== null) return;
  throw new CairnError('usage', `Agent command '${program}' was not found on PATH: ${how}. Nothing was started.`);
}
