import { DEMO_CONFIG_JS_V1, DEMO_CONFIG_TEST_V1 } from './project.js';
import type { RecordedStep } from './recording.js';

/*
 * The recorded execution of the demo migration's first phase (add-loader):
 * what the agent answered to the ready-check, and the change it made in the
 * phase's worktree (paths relative to it) with the status block it ended
 * with. The change keeps getConfigSync() as it is and adds a validated,
 * async loadConfig() with tests, so `node --test` passes before and after.
 */

const CONFIG_JS_V2 =
  DEMO_CONFIG_JS_V1.replace("import { readFileSync } from 'node:fs';\n", "import { readFileSync } from 'node:fs';\nimport { readFile } from 'node:fs/promises';\n") +
  '\n' +
  '// Reads config.json once and checks the two fields the service uses.\n' +
  "export async function loadConfig(file = 'config.json') {\n" +
  "  const config = JSON.parse(await readFile(file, 'utf8'));\n" +
  "  if (config === null || typeof config !== 'object') throw new Error(`${file}: expected a JSON object`);\n" +
  "  if (typeof config.greeting !== 'string') throw new Error(`${file}: \"greeting\" must be a string`);\n" +
  '  if (!Number.isInteger(config.port) || config.port < 1 || config.port > 65535) {\n' +
  '    throw new Error(`${file}: "port" must be an integer from 1 to 65535`);\n' +
  '  }\n' +
  '  return config;\n' +
  '}\n';

const CONFIG_TEST_V2 =
  DEMO_CONFIG_TEST_V1.replace(
    "import { test } from 'node:test';\n",
    "import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';\nimport { tmpdir } from 'node:os';\nimport path from 'node:path';\nimport { test } from 'node:test';\n",
  ).replace("import { getConfigSync } from '../src/config.js';", "import { getConfigSync, loadConfig } from '../src/config.js';") +
  '\n' +
  "test('loadConfig resolves to the same config', async () => {\n" +
  "  assert.deepEqual(await loadConfig(CONFIG), { greeting: 'Hello', port: 8080 });\n" +
  '});\n\n' +
  "test('loadConfig names the bad field and the file', async () => {\n" +
  "  const dir = mkdtempSync(path.join(tmpdir(), 'greeter-'));\n" +
  "  const file = path.join(dir, 'config.json');\n" +
  '  try {\n' +
  "    writeFileSync(file, JSON.stringify({ greeting: 'Hi', port: 0 }));\n" +
  '    await assert.rejects(loadConfig(file), { message: `${file}: "port" must be an integer from 1 to 65535` });\n' +
  '    writeFileSync(file, JSON.stringify({ port: 8080 }));\n' +
  '    await assert.rejects(loadConfig(file), { message: `${file}: "greeting" must be a string` });\n' +
  '  } finally {\n' +
  '    rmSync(dir, { recursive: true, force: true });\n' +
  '  }\n' +
  '});\n';

/** The execution steps, by `CAIRN_STEP`. */
export const DEMO_EXECUTION: Readonly<Record<string, RecordedStep>> = {
  'ready-check': {
    files: {},
    stdout:
      'src/config.js exports getConfigSync() and nothing named loadConfig exists anywhere under src/ or test/.\n\n' +
      'ready: yes — getConfigSync() is exported and loadConfig does not exist yet\n',
  },
  execute: {
    files: {
      'src/config.js': CONFIG_JS_V2,
      'test/config.test.js': CONFIG_TEST_V2,
    },
    stdout:
      'Added loadConfig() to src/config.js next to getConfigSync(), which is unchanged, and tests for both the\n' +
      'valid config and each rejected field. node --test passes.\n\n' +
      'BEGIN_CONTINUOUS_REFACTORING_STATUS\n' +
      'phase_reached: done\n' +
      'decision: commit\n' +
      'retry_recommendation: none\n' +
      'failure_kind: none\n' +
      'summary: Added an async, validated loadConfig() beside getConfigSync(), with tests.\n' +
      'commit_rationale: Callers can move to a loader that reads config.json once and rejects a bad greeting or port with an error naming the field and the file.\n' +
      'next_retry_focus: none\n' +
      'tests_run: node --test\n' +
      'evidence:\n' +
      '  - src/config.js\n' +
      '  - test/config.test.js\n' +
      'END_CONTINUOUS_REFACTORING_STATUS\n',
  },
};
