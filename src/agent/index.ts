export { extractAgentText } from './agent-text.js';
export { readableStreamJsonMirror, streamJsonEventText } from './stream-json-log.js';
export { agentEnv } from './env.js';
export { MAX_STEP_OUTPUT_BYTES } from './capture.js';
export { checkStepOutputSize, stepOutputTooLarge } from './step-output.js';
export { AGENT_KINDS, agentOutputMode, resolveAgentCommand, type AgentKind, type AgentOutputMode } from './presets.js';
export { formatAgentProgress, setAgentProgressSink, type AgentProgressSink } from './progress.js';
export { agentFailureReason, runAgent, type AgentRunResult } from './run.js';
export { DEFAULT_AGENT_TIMEOUT_MS, DEFAULT_SILENCE_TIMEOUT_MS } from './limits.js';
export { parseCommandTemplate, renderCommandTemplate, splitCommandTemplate } from './template.js';
export {
  TrustedValidateEntrySchema,
  UserAgentConfigSchema,
  loadUserAgentConfig,
  resolveAgentSettings,
  type AgentSettings,
  type LoadedUserAgentConfig,
  type TrustedValidateEntry,
} from './user-config.js';
export { userConfigPath } from './user-config-path.js';
export { checkAgentCommandShape, checkAgentProgram, findOnPath } from './program-lookup.js';
export { AGENT_RECORD_FILE, bootId, reapAbandonedAgents, type AbandonedAgent } from './process-record.js';
