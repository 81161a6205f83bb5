import { agentChoice } from '../app/index.js';
import type { ProjectContext } from '../config/index.js';
import type { AgentChoice } from '../planning/index.js';
import type { ToolEnv } from './tool.js';

/** Manual mode, as `--agent manual`: cairn prepares the step and the caller does it; `model` and `effort` are recorded. */
export function manualAgent(env: ToolEnv, context: ProjectContext, options: { model?: string | undefined; effort?: string | undefined }): Promise<AgentChoice> {
  return agentChoice(
    { agent: 'manual', ...(options.model !== undefined ? { model: options.model } : {}), ...(options.effort !== undefined ? { effort: options.effort } : {}) },
    context,
    env.io,
  );
}
