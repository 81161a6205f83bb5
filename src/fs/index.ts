/**
 * The filesystem layer: durable writes, tree copies and diffs, the snapshot
 * digest, git's view of a directory, and existence and lstat probes.
 */
export { assertConfined, confinementProblem, type ConfinedKind, type ConfinementProblem } from './confine.js';
export { snapshotId } from './digest.js';
export { fsyncDir, mkdirDurable, removeTreeDurable, renameDurable, writeFileDurable } from './durable.js';
export { isDirectory, isRegularFile, pathExists, pathExistsSync } from './exists.js';
export { gitDirtyPaths } from './git-dirty.js';
export { gitTopLevel, runGit, runGitBytes, type GitResult } from './git.js';
export { LstatCache, entryKind, isGone, isMissing, lenientText, listDir, pathKind, readBytes, readStrictText, staysInside, strictTextOf, type EntryKind, type EntryType } from './probe.js';
export { procPids, procStat, type ProcStat } from './proc.js';
export { captureRepoState, repoStateChanges, type RepoState } from './repo-state.js';
export { copyTreeDurable, diffTrees, type DiffEntry } from './tree.js';
export { fingerprintTree, type TreeFingerprint } from './tree-fingerprint.js';
export {
  DEFAULT_MAX_READ_BYTES,
  FileTooLargeError,
  NotRegularFileError,
  isRefusedFile,
  openRegularFileSync,
  readRegularFileSync,
  readRegularFileWithStatsSync,
  readRegularTextSync,
  specialFileKind,
  type RegularReadOptions,
} from './regular-file.js';
export { PREFETCH_MIN_DIRECTORIES, mapPrefetched, startPrefetch, type PrefetchScope, type Prefetcher } from './prefetch.js';
