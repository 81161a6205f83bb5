import path from 'node:path';

/** What an agent process is told through its environment. */
export interface AgentEnvInput {
  slug: string;
  step: string;
  /** The workspace copy of the migration dir the agent writes in. */
  workspaceDir: string;
  repoRoot: string;
}

/**
 * The variables cairn adds to an agent's environment, so a script agent
 * needs no prompt parsing: `CAIRN_SLUG`, `CAIRN_STEP`, `CAIRN_WORKSPACE`
 * (absolute path of the workspace migration dir) and `CAIRN_REPO_ROOT`
 * (absolute).
 */
export function agentEnv(input: AgentEnvInput): Record<string, string> {
  return {
    CAIRN_SLUG: input.slug,
    CAIRN_STEP: input.step,
    CAIRN_WORKSPACE: path.resolve(input.workspaceDir),
    CAIRN_REPO_ROOT: path.resolve(input.repoRoot),
  };
}
