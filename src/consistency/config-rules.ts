import { messageOf } from '../util/index.js';
import { resolveLiveRoot, readProjectConfig } from '../config/index.js';
import { pathKind } from '../fs/index.js';
import { makeFinding } from './rules.js';
import type { Finding } from '../migration/index.js';

/** The slug column of project config findings. */
export const CONFIG_SLUG = '.planning';

/**
 * `config-invalid`: `.planning/config.json` cannot be read or validated, or
 * its `migrations_dir` resolves outside the repository. Silent when the file
 * does not exist.
 */
export async function configFindings(repoRoot: string, configPath: string): Promise<Finding[]> {
  if (pathKind(configPath) === 'missing') return [];
  const invalid = (error: unknown) => [
    makeFinding('config-invalid', {
      mode: 'doctor',
      slug: CONFIG_SLUG,
      path: configPath,
      message: messageOf(error),
    }),
  ];
  let migrationsDir: string;
  try {
    migrationsDir = (await readProjectConfig(configPath)).migrations_dir;
  } catch (error) {
    return invalid(error);
  }
  try {
    resolveLiveRoot(repoRoot, migrationsDir);
  } catch (error) {
    return invalid(error);
  }
  return [];
}
