import * as z from 'zod';
import type { MergeResolution } from '../planning/index.js';
import { jsonDocument, type DocumentPayload } from './document.js';
import { FindingJsonSchema, findingJson } from './reporters/index.js';

export const ResolveOutputSchema = jsonDocument(
  {
    slug: z.string(),
    side: z.enum(['ours', 'theirs']).describe("Which side of the merge was taken: HEAD's (ours) or MERGE_HEAD's (theirs)."),
    commit: z.string().describe('The commit the migration directory was taken from.'),
    dry_run: z.boolean().describe('True when nothing was changed: the lists say what would be.'),
    conflicted: z.array(z.string()).describe('The conflicted files of the migration, relative to its directory.'),
    written: z.array(z.string()).describe("The migration's files in `commit`, written from it (or that would be), relative to its directory."),
    removed: z.array(z.string()).describe('Tracked files `commit` lacks, removed (or that would be), relative to the migration directory.'),
    findings: z.array(FindingJsonSchema).describe("Doctor's findings on the files as written; empty under --dry-run."),
    staged: z.boolean().describe('True when the directory was `git add`ed (doctor found no error), so the merge can be committed.'),
  },
  'Output of `cairn resolve --format json`.',
);

/** A merge resolution as JSON, without `schema_version`. */
export function resolveJson(result: MergeResolution, repoRoot: string): DocumentPayload<typeof ResolveOutputSchema> {
  return {
    slug: result.slug,
    side: result.side,
    commit: result.commit,
    dry_run: result.dryRun,
    conflicted: result.conflicted,
    written: result.written,
    removed: result.removed,
    findings: result.findings.map((finding) => findingJson(finding, repoRoot)),
    staged: result.staged,
  };
}
