/*
 * The line that shows, on a terminal, that an agent is still working: what
 * runs, for how long, and how much output it produced so far. Only a front
 * end whose stderr is a terminal installs a sink; without one nothing is
 * shown, so piped and captured output never carries it.
 */

/** Where the progress line goes: `update` replaces the line in place, `clear` removes it. */
export interface AgentProgressSink {
  update(line: string): void;
  clear(): void;
}

let sink: AgentProgressSink | null = null;

/** Installs (or, with null, removes) the sink every agent run reports its progress to. */
export function setAgentProgressSink(next: AgentProgressSink | null): void {
  sink = next;
}

/** The installed sink, if any. */
export function agentProgressSink(): AgentProgressSink | null {
  return sink;
}

/** `running expand for alpha: 72 s, 34 KiB` (ASCII only): elapsed whole seconds, output in B, KiB or MiB. */
export function formatAgentProgress(what: string, elapsedMs: number, outputBytes: number): string {
  return `running ${what}: ${Math.floor(elapsedMs / 1000)} s, ${formatBytes(outputBytes)}`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.floor(bytes / 1024)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** What a run is, for its progress line: the step and migration from its environment, else the command. */
export function progressSubject(env: Readonly<Record<string, string>> | undefined, command: string): string {
  const step = env?.['CAIRN_STEP'];
  const slug = env?.['CAIRN_SLUG'];
  if (step !== undefined && step !== '' && slug !== undefined && slug !== '') return `${step} for ${slug}`;
  return command;
}
