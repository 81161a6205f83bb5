import type { Phase } from '../migration/index.js';
export interface PhasePromptInput { slug: string; phase: Phase; phaseFile: string; phaseDoc: string; plan: string | null; taste: string | null; worktree: string; migrationDir: string }
export function readyCheckPrompt(input: PhasePromptInput): string {
  return `Ready-check for phase ${input.phase.name} of ${input.slug}.\nPrecondition: ${input.phase.precondition}\n\n${input.phaseDoc}\n\nEnd with: ready: yes|no|unverifiable — reason\n`;
}
export function executePrompt(input: PhasePromptInput & { validateCommand: string | null; attempt: number; maxAttempts: number; feedback: string | null }): string {
  return `Execute phase ${input.phase.name} of ${input.slug} (attempt ${input.attempt}/${input.maxAttempts}).\n\n${input.phaseDoc}\n${input.feedback ?? ''}\nEnd with the status block.\n`;
}
