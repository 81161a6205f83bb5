import * as z from 'zod';
import { jsonDocument } from './document.js';

/** owner.json of a publish lock, as read (fields a foreign lock lacks are null). */
export const LockOwnerJsonSchema = z.strictObject({
  created_at: z.string().nullable(),
  operation: z.string().nullable(),
  pid: z.int().nullable(),
  hostname: z.string().nullable(),
  lock_id: z.string().nullable(),
  tool: z.string().nullable(),
}).meta({ id: 'LockOwner' });

export const UnlockOutputSchema = jsonDocument(
  {
    lock_path: z.string(),
    lock_id: z.string(),
    removed: z.boolean(),
    dry_run: z.boolean(),
    forced: z.boolean().describe('True when the holder still looked alive.'),
    owner: LockOwnerJsonSchema.nullable(),
  },
  'Output of `cairn unlock --format json`.',
);
