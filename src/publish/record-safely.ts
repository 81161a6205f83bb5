import { messageOf } from '../util/index.js';
import type { PublishRecorder } from './recorder.js';

/**
 * Calls the recorder, if any, and turns a failure into a message: the store
 * is a local cache of history, so its failure must not undo or fail a
 * filesystem change that already happened. Returns null on success.
 */
export function safeRecord(recorder: PublishRecorder | undefined, call: (recorder: PublishRecorder) => void): string | null {
  if (recorder === undefined) return null;
  try {
    call(recorder);
    return null;
  } catch (error) {
    return `could not record in the store: ${messageOf(error)}`;
  }
}
