// The agent-run defaults, apart from the runner so that the CLI's option
// descriptions can state them without loading it.

/** Suggested per-call deadline for a planning step. */
export const DEFAULT_AGENT_TIMEOUT_MS = 60 * 60 * 1000;
/** Suggested silence limit: no byte on stdout or stderr for this long ends the run. */
export const DEFAULT_SILENCE_TIMEOUT_MS = 15 * 60 * 1000;
