import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CairnError, messageOf, resolvePath, toPosix } from '../util/index.js';
import { pathExists, writeFileDurable } from '../fs/index.js';
import { encodeJson, isJsonObject, readJsonFile, type JsonObject, type JsonValue } from '../json/index.js';
import { MIGRATION_FILES, migrationFiles } from './layout.js';

/*
 * What a migration directory says about its own name and place, rewritten
 * for a new one: manifest.json's `name`, the output refs of
 * .planning/state.json (repo-relative paths through the live directory,
 * docs/format.md §5.6) and the heading of intentional-skip.md. Sums and
 * review records hold no such path. Only the named values change; the JSON
 * files are written back in the v1 encoding (docs/format.md §3.1).
 */

/** One value rewritten: the file (relative to the migration directory), the field, the old and the new value. */
export interface RenameChange {
  file: string;
  field: string;
  from: string;
  to: string;
}

export interface RenameInput {
  repoRoot: string;
  /** The live directory the migration had, and the one it will have. */
  fromDir: string;
  toDir: string;
}

const SKIP_FILE = 'intentional-skip.md';
const SKIP_HEADING = '# Intentional Skip: ';

/**
 * Rewrites, in the migration copy `dir`, every value naming its old slug or
 * live directory, and returns what changed. Throws CairnError('invalid-state')
 * for an output ref that does not lie in the old live directory (the state is
 * already broken; `cairn doctor` says how).
 */
export async function rewriteForRename(dir: string, input: RenameInput): Promise<RenameChange[]> {
  const changes: RenameChange[] = [];
  const oldSlug = path.basename(input.fromDir);
  const newSlug = path.basename(input.toDir);
  const files = migrationFiles(dir);

  const manifest = await readObject(files.manifest, 'manifest');
  if (manifest !== null) {
    const name = manifest['name'];
    if (name !== newSlug) {
      changes.push({ file: MIGRATION_FILES.manifest, field: 'name', from: typeof name === 'string' ? name : String(name), to: newSlug });
      manifest['name'] = newSlug;
      await writeFileDurable(files.manifest, encodeJson(manifest));
    }
  }

  const state = await readObject(files.state, 'planning state');
  if (state !== null) {
    const oldPrefix = `${relativeDir(input.repoRoot, input.fromDir)}/`;
    const newPrefix = `${relativeDir(input.repoRoot, input.toDir)}/`;
    const moveRef = (ref: JsonValue | undefined, field: string): JsonValue | undefined => {
      if (typeof ref !== 'string') return ref;
      if (!ref.startsWith(oldPrefix)) {
        throw new CairnError('invalid-state', `Planning output ref '${ref}' (${field}) is not under ${oldPrefix}, so it cannot be moved with the migration.`, {
          path: files.state,
          hint: `Run \`cairn doctor ${oldSlug}\` to see what is wrong with the planning state.`,
        });
      }
      const moved = `${newPrefix}${ref.slice(oldPrefix.length)}`;
      changes.push({ file: MIGRATION_FILES.state, field, from: ref, to: moved });
      return moved;
    };
    const steps = state['completed_steps'];
    if (Array.isArray(steps)) {
      steps.forEach((step, index) => {
        const outputs = isJsonObject(step) ? step['outputs'] : undefined;
        if (isJsonObject(outputs) && 'stdout' in outputs) {
          outputs['stdout'] = moveRef(outputs['stdout'], `completed_steps[${index}].outputs.stdout`) as JsonValue;
        }
      });
    }
    if (typeof state['review_findings'] === 'string') state['review_findings'] = moveRef(state['review_findings'], 'review_findings') as JsonValue;
    if (changes.some((change) => change.file === MIGRATION_FILES.state)) await writeFileDurable(files.state, encodeJson(state));
  }

  const skipFile = path.join(dir, SKIP_FILE);
  if (await pathExists(skipFile)) {
    const text = await readFile(skipFile, 'utf8');
    const firstLine = text.split('\n', 1)[0] as string;
    if (firstLine === `${SKIP_HEADING}${oldSlug}`) {
      await writeFileDurable(skipFile, `${SKIP_HEADING}${newSlug}${text.slice(firstLine.length)}`);
      changes.push({ file: SKIP_FILE, field: 'heading', from: firstLine, to: `${SKIP_HEADING}${newSlug}` });
    }
  }
  return changes;
}

function relativeDir(repoRoot: string, dir: string): string {
  return toPosix(path.relative(resolvePath(repoRoot), path.join(resolvePath(path.dirname(dir)), path.basename(dir))));
}

/** The JSON object in `file`, or null when there is no such file. */
async function readObject(file: string, what: string): Promise<JsonObject | null> {
  if (!(await pathExists(file))) return null;
  let value: JsonValue;
  try {
    value = await readJsonFile(file);
  } catch (error) {
    throw new CairnError('invalid-state', `Could not read ${what} ${file}: ${messageOf(error)}`, { path: file, cause: error });
  }
  if (!isJsonObject(value)) throw new CairnError('invalid-state', `The ${what} ${file} is not a JSON object.`, { path: file });
  return value;
}
