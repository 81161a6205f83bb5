import * as z from 'zod';
import { MIGRATION_STATUSES } from '../migration/index.js';
import { PublishResultJsonSchema, RecoveryPlanJsonSchema } from './publish-result.js';
import { jsonDocument } from './document.js';

export const NewOutputSchema = jsonDocument(
  { result: PublishResultJsonSchema },
  'Output of `cairn new --format json`: the publish of the new migration.',
);

export const PhaseDoneOutputSchema = jsonDocument(
  {
    slug: z.string(),
    phase: z.string().describe('The phase marked done.'),
    next_phase: z.string().nullable().describe('The phase that is now current, or null when the migration is done.'),
    status: z.enum(MIGRATION_STATUSES).describe('The manifest status after the change.'),
    commit: z.string().nullable(),
    recovered: z.array(RecoveryPlanJsonSchema),
    result: PublishResultJsonSchema,
  },
  'Output of `cairn phase done --format json`.',
);
