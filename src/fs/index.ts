/**
 * The filesystem layer: durable writes, tree copies and diffs, the snapshot
 * digest, git's view of a directory, and existence and lstat probes.
 */
export * from './durable.js';
export * from './tree.js';
export * from './digest.js';
export * from './git.js';
export * from './git-dirty.js';
export * from './exists.js';
export * from './probe.js';
