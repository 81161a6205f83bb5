// `node --import ./load-log.mjs`: records which modules a process loads (see load-log-hooks.mjs).
import { register } from 'node:module';

register('./load-log-hooks.mjs', import.meta.url);
