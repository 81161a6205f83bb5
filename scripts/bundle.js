#!/usr/bin/env node
// Bundles the CLI that bin/cairn.js starts into dist/bundle/ (part of `npm
// run build`, after tsc and write-command-specs.js): resolving and loading
// some 300 small modules cost more than the code in them. Each command and
// the MCP server stay separate chunks, loaded only when they run.
// dist/index.js and dist/mcp/index.js (the library API) stay as tsc wrote them.
import { copyFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { barrelImportsPlugin } from './barrel-imports.js';

// commander requires node:child_process when it loads, for executable
// subcommands (cairn has none); loading it costs every command a few
// milliseconds. commander gets a spawn that loads it on first use instead.
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child-process', namespace: 'lazy-builtin' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      contents: "module.exports = { spawn: (...args) => process.getBuiltinModule('node:child_process').spawn(...args) };",
      loader: 'js',
    }));
  },
};

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const live = path.join(dist, 'bundle');
// Written beside the live bundle and swapped in whole, so that a cairn started
// while `npm test` rebuilds runs the old bundle or the new one, not a mix.
const out = path.join(dist, 'bundle.next');
const old = path.join(dist, 'bundle.old');
rmSync(out, { recursive: true, force: true });
rmSync(old, { recursive: true, force: true });
const result = await build({
  entryPoints: {
    cairn: path.join(dist, 'cli', 'main.js'),
    // Found by `cairn demo` beside the code that starts it (planning/demo.ts).
    'demo/replay-agent': path.join(dist, 'planning', 'demo', 'replay-agent.js'),
    // Started by `doctor --all` beside the code that starts it (app/doctor.ts).
    'doctor-worker': path.join(dist, 'app', 'doctor-worker.js'),
    // Started by `cairn report` beside the code that starts it (app/report.ts).
    'report-worker': path.join(dist, 'app', 'report-worker.js'),
  },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // A native addon: loaded from node_modules as it is.
  external: ['better-sqlite3'],
  plugins: [barrelImportsPlugin(dist), lazyChildProcessForCommander],
  // CommonJS dependencies use require() and __filename; an ES module has
  // neither of its own. require is made on first use, and __filename is
  // added below only to the chunks that use it: every chunk pays for what
  // its banner runs.
  banner: {
    js: [
      "import { createRequire as cairnCreateRequire } from 'node:module';",
      "import { fileURLToPath as cairnFileURLToPath } from 'node:url';",
      'let cairnRequire;',
      'function require(id) { return (cairnRequire ??= cairnCreateRequire(import.meta.url))(id); }',
    ].join('\n'),
  },
  write: false,
  logLevel: 'warning',
});
const FILENAME = 'const __filename = cairnFileURLToPath(import.meta.url);\n';
for (const file of result.outputFiles) {
  const newline = file.text.indexOf('\n', file.text.indexOf('function require(id)'));
  const text = /\b__filename\b/.test(file.text) ? file.text.slice(0, newline + 1) + FILENAME + file.text.slice(newline + 1) : file.text;
  mkdirSync(path.dirname(file.path), { recursive: true });
  writeFileSync(file.path, text);
}
// Read beside the command table's code (cli/command-table.ts).
copyFileSync(path.join(dist, 'cli', 'command-specs.json'), path.join(out, 'command-specs.json'));
try {
  renameSync(live, old);
} catch (error) {
  if (error.code !== 'ENOENT') throw error;
}
renameSync(out, live);
rmSync(old, { recursive: true, force: true });
