export { compareCodePoints } from './compare.js';
export { mapWithConcurrency, yieldToEventLoop } from './concurrency.js';
export { errnoCode } from './errno.js';
export { CairnError, isCairnError, messageOf, toCairnError, type CairnErrorCode } from './errors.js';
export { hasParentTraversal, isInside, isSafeSegment, isVisibleSegment, purePosix, resolvePath, toPosix } from './paths.js';
export { hasUnsafeNameCharacter, tsvField, visibleLines, visibleOutput, visibleText, withoutWorkflowCommands } from './visible.js';
export { PY_SPACE, collapseWhitespace, splitLines, stripText } from './text.js';
export { localTimestamp, utcTimestamp } from './time.js';
export { CAIRN_VERSION } from './version.js';
