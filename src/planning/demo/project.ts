/*
 * The small project `cairn demo` plans a migration for: a greeting service
 * whose config loader blocks and trusts its input. Its tests run with
 * `node --test` (built into Node.js, no dependencies), which the demo uses
 * as the validation command when it carries out the first phase.
 */

/** The demo project's test command, run by `cairn run --validate`. */
export const DEMO_TEST_COMMAND = 'node --test';

/** The config loader's tests before the migration. */
export const DEMO_CONFIG_TEST_V1 =
  "import assert from 'node:assert/strict';\n" +
  "import { test } from 'node:test';\n" +
  "import { fileURLToPath } from 'node:url';\n" +
  "import { getConfigSync } from '../src/config.js';\n\n" +
  "const CONFIG = fileURLToPath(new URL('../config.json', import.meta.url));\n\n" +
  "test('getConfigSync reads the greeting and the port', () => {\n" +
  "  assert.deepEqual(getConfigSync(CONFIG), { greeting: 'Hello', port: 8080 });\n" +
  '});\n';

export const DEMO_CONFIG_JS_V1 =
  "import { readFileSync } from 'node:fs';\n\n" +
  '// Reads config.json with a blocking read on every call and trusts what it parses.\n' +
  "export function getConfigSync(file = 'config.json') {\n" +
  "  return JSON.parse(readFileSync(file, 'utf8'));\n" +
  '}\n';

export const DEMO_PROJECT_FILES: Readonly<Record<string, string>> = {
  'package.json':
    '{\n  "name": "greeter-service",\n  "version": "1.0.0",\n  "type": "module",\n  "main": "src/server.js",\n' +
    `  "scripts": {\n    "test": "${DEMO_TEST_COMMAND}"\n  }\n}\n`,
  'config.json': '{\n  "greeting": "Hello",\n  "port": 8080\n}\n',
  'README.md': '# greeter-service\n\nSays hello. Configuration comes from config.json through `getConfigSync()` in src/config.js.\n\nTests: `npm test`.\n',
  'src/config.js': DEMO_CONFIG_JS_V1,
  'src/server.js':
    "import { createServer } from 'node:http';\n" +
    "import { getConfigSync } from './config.js';\n\n" +
    'const config = getConfigSync();\n' +
    'createServer((req, res) => {\n' +
    "  res.end(`${config.greeting}, ${req.url.slice(1) || 'world'}!\\n`);\n" +
    '}).listen(config.port);\n',
  'src/cli.js': "import { getConfigSync } from './config.js';\n\nconsole.log(`greeting is \"${getConfigSync().greeting}\"`);\n",
  'test/config.test.js': DEMO_CONFIG_TEST_V1,
};
