import { CairnError } from '../util/index.js';
import { EFFORTS, isEffort, type Effort } from '../migration/index.js';
import { renderCommandTemplate } from './template.js';

/*
 * Which process runs for `--agent claude|codex|command|manual`. The presets
 * use each tool's non-interactive mode with the prompt on stdin:
 * - claude: print mode (`-p`) with `--output-format stream-json --verbose`,
 *   so output streams while it works (the silence watchdog sees progress)
 *   and the final answer is the `result` event; edits are accepted without
 *   prompting (`--permission-mode acceptEdits`) since nobody is there to
 *   answer; `--model` and `--effort` when given.
 * - codex: `codex exec … -` (the `-` prompt reads stdin) in the
 *   `workspace-write` sandbox; it prints only its final message on stdout;
 *   `--model`, and effort as the `model_reasoning_effort` config override.
 */

export const AGENT_KINDS = ['claude', 'codex', 'command', 'manual'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

/** How an agent's stdout becomes the stage text: as is, or the final result of claude's stream-json. */
export type AgentOutputMode = 'raw' | 'claude-stream-json';

/** How an agent's stdout reads: claude prints stream-json events, every other agent plain text. */
export function agentOutputMode(agent: AgentKind): AgentOutputMode {
  return agent === 'claude' ? 'claude-stream-json' : 'raw';
}

export type AgentCommand =
  | { kind: 'process'; argv: string[]; outputMode: AgentOutputMode }
  | { kind: 'manual' };

export interface AgentCommandRequest {
  agent: AgentKind;
  model?: string | null;
  effort?: Effort | null;
  /** The `--agent-cmd` template; required for `command`, ignored otherwise. */
  agentCmd?: string | null;
  /** Values for `{step}`, `{slug}`, `{workspace}` in a template. */
  step?: string | null;
  slug?: string | null;
  workspace?: string | null;
}

export function isAgentKind(value: string): value is AgentKind {
  return (AGENT_KINDS as readonly string[]).includes(value);
}

/**
 * The command to run for an agent choice: a process (argv, no shell, and
 * how to read its output) or manual mode. Throws `CairnError('usage')` for
 * an unknown agent or effort, an empty model, `command` without a template,
 * or a template error (see `renderCommandTemplate`).
 */
export function resolveAgentCommand(request: AgentCommandRequest): AgentCommand {
  const agent: string = request.agent;
  if (!isAgentKind(agent)) {
    throw new CairnError('usage', `Unknown agent '${agent}'`, { hint: `Choose one of: ${AGENT_KINDS.join(', ')}.` });
  }
  const model = request.model ?? null;
  if (model !== null && model.trim() === '') throw new CairnError('usage', 'The agent model must not be empty');
  const effort = request.effort ?? null;
  if (effort !== null && !isEffort(effort)) {
    throw new CairnError('usage', `Unknown effort '${String(effort)}'`, { hint: `Choose one of: ${EFFORTS.join(', ')}.` });
  }
  switch (agent) {
    case 'manual':
      return { kind: 'manual' };
    case 'claude':
      return { kind: 'process', argv: claudeArgv(model, effort), outputMode: agentOutputMode(agent) };
    case 'codex':
      return { kind: 'process', argv: codexArgv(model, effort), outputMode: agentOutputMode(agent) };
    case 'command': {
      const template = request.agentCmd ?? null;
      if (template === null) {
        throw new CairnError('usage', '--agent command needs a command template', {
          hint: "Pass --agent-cmd '<command line>', e.g. --agent-cmd 'my-agent --model {model}'.",
        });
      }
      const argv = renderCommandTemplate(template, {
        model,
        effort,
        step: request.step ?? null,
        slug: request.slug ?? null,
        workspace: request.workspace ?? null,
      });
      return { kind: 'process', argv, outputMode: agentOutputMode(agent) };
    }
  }
}

function claudeArgv(model: string | null, effort: Effort | null): string[] {
  const argv = ['claude', '-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits'];
  if (model !== null) argv.push('--model', model);
  if (effort !== null) argv.push('--effort', effort);
  return argv;
}

function codexArgv(model: string | null, effort: Effort | null): string[] {
  const argv = ['codex', 'exec', '--sandbox', 'workspace-write', '--skip-git-repo-check', '--color', 'never'];
  if (model !== null) argv.push('--model', model);
  if (effort !== null) argv.push('-c', `model_reasoning_effort="${effort}"`);
  argv.push('-');
  return argv;
}
