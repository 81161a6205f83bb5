import * as z from 'zod';
import { MIGRATION_STATUSES } from '../migration/index.js';
import { jsonDocument } from './document.js';

export const ListRowJsonSchema = z.strictObject({
  slug: z.string(),
  status: z.enum([...MIGRATION_STATUSES, 'invalid-manifest', 'merge-conflict']).describe("The manifest status, 'invalid-manifest', or 'merge-conflict' when its manifest or state holds git conflict markers."),
  cursor: z.string().describe("Next step: 'planning:<step>', 'planning:blocked', the current phase file, 'blocked' or '(none)'."),
  awaiting_review: z.boolean().describe("Awaiting a human review under the project's review policy: the same answer as status's `awaiting_review`, ready and run."),
  last_touch: z.string().nullable(),
  cooldown_until: z.string().nullable(),
  reason: z.string().nullable().describe('Why the row is blocked, else the human review reason, else null.'),
  blocked: z.boolean().describe('True when cairn cannot act on the migration until it is repaired.'),
});

export const ListOutputSchema = jsonDocument(
  {
    live_root: z.string().describe('Absolute path of the live migrations root.'),
    migrations: z.array(ListRowJsonSchema),
  },
  'Output of `cairn list --format json`.',
);
