export * from './compare.js';
export * from './concurrency.js';
export * from './errno.js';
export * from './errors.js';
export * from './paths.js';
export * from './text.js';
export * from './time.js';
export * from './version.js';
