import type * as z from 'zod';
import { shownListRow, type ListRow } from '../planning/index.js';
import type { ListRowJsonSchema } from './list.js';

/* Apart from the schema, so that listing does not build it. */

/** One `list` row as JSON. */
export function listRowJson(listed: ListRow): z.infer<typeof ListRowJsonSchema> {
  const row = shownListRow(listed);
  return {
    slug: row.slug,
    status: row.status,
    cursor: row.cursor,
    awaiting_review: row.awaitingReview,
    last_touch: row.lastTouch,
    cooldown_until: row.cooldownUntil,
    reason: row.reason,
    blocked: row.blocked,
  };
}
