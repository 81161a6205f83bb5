// `node --import ./load-log.mjs`: records which modules a process loads (see
// load-log-hooks.mjs), and at exit the built-in modules it loaded, as
// `node-builtin:<name>` lines (require() of a built-in passes no hook).
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';

register('./load-log-hooks.mjs', import.meta.url);

process.on('exit', () => {
  if (!process.env.CAIRN_LOAD_LOG) return;
  const builtins = process.moduleLoadList.filter((entry) => entry.startsWith('NativeModule ')).map((entry) => `node-builtin:${entry.slice('NativeModule '.length)}\n`);
  appendFileSync(process.env.CAIRN_LOAD_LOG, builtins.join(''));
});
