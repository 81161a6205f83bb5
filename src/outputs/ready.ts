import * as z from 'zod';
import type { ReadyKind } from '../planning/index.js';
import { jsonDocument } from './document.js';

/** One piece of work that can be done now. */
export const ReadyItemSchema = z.strictObject({
  kind: z.enum(['plan', 'review', 'phase'] satisfies ReadyKind[]),
  slug: z.string(),
  created_at: z.string(),
  detail: z.string().describe('plan: the step to run; review: the review reason; phase: the phase name.'),
  file: z.string().nullable().describe('phase: the phase doc, repo-relative.'),
  command: z.string().describe('The command that does (or, for a phase, records) the work.'),
});

export const ReadyOutputSchema = jsonDocument(
  {
    items: z.array(ReadyItemSchema),
  },
  'Output of `cairn ready --format json`: planning steps first, then reviews, then phases.',
);
