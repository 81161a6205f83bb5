/*
 * Older names for the path helpers in ./paths.ts, kept while callers move over.
 */
export { resolvePath as resolveReal, isInside as isWithin } from './paths.js';
