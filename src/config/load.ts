import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CairnError, messageOf } from '../util/index.js';
import { readJsonFile, toPlainJson, type JsonValue } from '../json/index.js';
import { confinementProblem } from '../fs/index.js';
import type { ProjectConfig } from './schema.js';
import { CONFIG_RELATIVE_PATH } from './config-rules.js';
import { plainlyValidConfig } from './plain-config.js';


function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .map((issue) => {
      const where = issue.path.length === 0 ? '(top level)' : issue.path.map(String).join('.');
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * Read and validate `<repoRoot>/.planning/config.json`. The file must be a
 * regular file inside the repository: a symlink out of it, a FIFO or a
 * device is refused with CairnError('invalid-config') before it is opened.
 */
export async function readProjectConfig(configPath: string): Promise<ProjectConfig> {
  const unsafe = confinementProblem(configRepoRoot(configPath), configPath, 'file');
  if (unsafe !== null) {
    // invalid-config (exit 2), so that doctor reports it as `config-invalid` like any other broken config.
    throw new CairnError('invalid-config', `Refusing to use the cairn config: ${unsafe.message}.`, {
      path: unsafe.path,
      hint: `cairn reads only regular files inside the repository. Remove or replace ${unsafe.path} (it may have come from a commit) with a regular .planning/config.json.`,
    });
  }
  let raw: JsonValue;
  try {
    raw = await readJsonFile(configPath);
  } catch (error) {
    throw new CairnError('invalid-config', `Could not read cairn config ${configPath}: ${messageOf(error)}`, {
      path: configPath,
      hint: 'Fix the JSON in .planning/config.json (it must be an object with at least "migrations_dir").',
    });
  }
  const value = toPlainJson(raw);
  const plain = plainlyValidConfig(value);
  if (plain !== null) return plain;
  // The schema (and zod) load only for a config the quick check does not accept.
  const { ProjectConfigSchema } = await import('./schema.js');
  const parsed = ProjectConfigSchema.safeParse(value);
  if (!parsed.success) {
    throw new CairnError('invalid-config', `Invalid cairn config ${configPath}: ${describeIssues(parsed.error.issues)}`, {
      path: configPath,
      hint: 'See the "Configuration" section of the cairn README for the allowed keys.',
    });
  }
  return parsed.data;
}

/** The repository a config path belongs to: the directory holding `.planning/config.json`. */
function configRepoRoot(configPath: string): string {
  const absolute = path.resolve(configPath);
  const suffix = path.sep + path.normalize(CONFIG_RELATIVE_PATH);
  return absolute.endsWith(suffix) ? absolute.slice(0, -suffix.length) || path.sep : path.dirname(absolute);
}

/**
 * The nearest directory at or above `start` that holds `.planning/config.json`,
 * the way git finds `.git`; null when there is none up to the filesystem root.
 */
export async function findProjectRoot(start: string): Promise<string | null> {
  let dir = path.resolve(start);
  for (;;) {
    try {
      // Whatever is there (a link, a FIFO) marks the project; reading it decides whether it may be used.
      const stat = await fs.lstat(path.join(dir, CONFIG_RELATIVE_PATH));
      if (!stat.isDirectory()) return dir;
    } catch {
      // not here; keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
