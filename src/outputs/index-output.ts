import * as z from 'zod';
import type { IndexReport } from '../app/index.js';
import { jsonDocument, type DocumentPayload } from './document.js';

const count = z.number().int().nonnegative();

export const IndexOutputSchema = jsonDocument(
  {
    store: z.string().describe('The local store, absolute.'),
    list: z
      .strictObject({
        migrations: count.describe('Migrations `cairn list` lists.'),
        refreshed: count.describe('Rows computed again because a file they depend on had changed (or had no row yet).'),
      })
      .describe('The index behind `cairn list`.'),
    digests: z
      .strictObject({
        recorded: count.describe('Stage outputs read, hashed and recorded now.'),
        racy: count.describe('Of `recorded`, files changed within the last two seconds: doctor hashes them until a later `cairn index`.'),
        fresh: count.describe('Stage outputs whose record still holds: not read.'),
        removed: count.describe('Records of files no `.planning/sums` names any more, deleted.'),
        skipped: z
          .strictObject({
            sums_unreadable: count.describe('`.planning/sums` files that could not be read as UTF-8 text.'),
            outside: count.describe('Named paths that lead outside their migration directory.'),
            missing: count.describe('Named files that do not exist.'),
            symlink: count.describe('Named paths that are symlinks.'),
            not_regular: count.describe('Named paths that are not regular files.'),
            unreadable: count.describe('Named files that could not be read.'),
          })
          .describe('What got no record, by reason; doctor reports these itself.'),
      })
      .describe('The verified digests of the stage outputs named in `.planning/sums`, which doctor uses instead of hashing unchanged files.'),
  },
  'Output of `cairn index --format json`.',
);

/** An index report as JSON, without `schema_version`. */
export function indexReportJson(report: IndexReport): DocumentPayload<typeof IndexOutputSchema> {
  const { digests } = report;
  return {
    store: report.store,
    list: { migrations: report.listRows, refreshed: report.listRefreshed },
    digests: {
      recorded: digests.recorded,
      racy: digests.racy,
      fresh: digests.fresh,
      removed: digests.removed,
      skipped: {
        sums_unreadable: digests.skipped['sums-unreadable'],
        outside: digests.skipped.outside,
        missing: digests.skipped.missing,
        symlink: digests.skipped.symlink,
        not_regular: digests.skipped['not-regular'],
        unreadable: digests.skipped.unreadable,
      },
    },
  };
}
