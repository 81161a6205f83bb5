// placeholder; replaced by the trust work
import { createHash } from 'node:crypto';
import type { ProjectConfig } from '../config/index.js';
import { CairnError } from '../util/index.js';
export type ValidationSource = 'flag' | 'project-config';
export interface ValidationCommand { command: string; source: ValidationSource; sha256: string; trusted: boolean }
export async function resolveValidationCommand(input: { flag: string | null; config: ProjectConfig | null; repoRoot: string; env?: NodeJS.ProcessEnv }): Promise<ValidationCommand | null> {
  if (input.flag === null) return null;
  return { command: input.flag, source: 'flag', sha256: createHash('sha256').update(input.flag).digest('hex'), trusted: true };
}
export function untrustedCommandError(command: ValidationCommand): CairnError {
  return new CairnError('usage', `untrusted ${command.command}`);
}
