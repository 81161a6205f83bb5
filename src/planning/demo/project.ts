/*
 * The small project `cairn demo` plans a migration for: a greeting service
 * whose config loader blocks and trusts its input.
 */

export const DEMO_PROJECT_FILES: Readonly<Record<string, string>> = {
  'package.json': '{\n  "name": "greeter-service",\n  "version": "1.0.0",\n  "type": "module",\n  "main": "src/server.js"\n}\n',
  'config.json': '{\n  "greeting": "Hello",\n  "port": 8080\n}\n',
  'README.md': '# greeter-service\n\nSays hello. Configuration comes from config.json through `getConfigSync()` in src/config.js.\n',
  'src/config.js':
    "import { readFileSync } from 'node:fs';\n\n" +
    '// Reads config.json with a blocking read on every call and trusts what it parses.\n' +
    "export function getConfigSync(file = 'config.json') {\n" +
    "  return JSON.parse(readFileSync(file, 'utf8'));\n" +
    '}\n',
  'src/server.js':
    "import { createServer } from 'node:http';\n" +
    "import { getConfigSync } from './config.js';\n\n" +
    'const config = getConfigSync();\n' +
    'createServer((req, res) => {\n' +
    "  res.end(`${config.greeting}, ${req.url.slice(1) || 'world'}!\\n`);\n" +
    '}).listen(config.port);\n',
  'src/cli.js': "import { getConfigSync } from './config.js';\n\nconsole.log(`greeting is \"${getConfigSync().greeting}\"`);\n",
};
