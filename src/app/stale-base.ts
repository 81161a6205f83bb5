import type { PublishResult } from '../publish/index.js';

/**
 * True when a publish was refused because the live migration changed after
 * the work was prepared: the caller should prepare it again rather than fix
 * anything.
 */
export function isStaleBase(result: PublishResult): boolean {
  return result.reason.startsWith('stale base snapshot');
}
