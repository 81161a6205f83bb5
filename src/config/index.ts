export * from './context.js';
export * from './init.js';
export * from './load.js';
export * from './schema.js';
