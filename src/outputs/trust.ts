import * as z from 'zod';
import { jsonDocument } from './document.js';

/** One trusted validation command of the repository, as `cairn trust` shows it. */
const TrustedEntryJsonSchema = z.strictObject({
  sha256: z.string().describe('Lowercase hex SHA-256 of the command text (UTF-8).'),
  trusted_at: z.string().describe('When it was trusted (ISO 8601).'),
  current: z.boolean().describe("True when it is the digest of the project's current `validate` command."),
});

export const TrustOutputSchema = jsonDocument(
  {
    action: z.enum(['trust', 'show', 'revoke']).describe('`trust` records, `show` (--show) only reads, `revoke` (--revoke) removes.'),
    repo_root: z.string().describe('The repository, as the trust store names it (its real path).'),
    user_config_path: z.string().describe('The user config that holds the trust store.'),
    command: z.string().nullable().describe("The project config's `validate` command; null when it names none."),
    sha256: z.string().nullable().describe('Its digest; null without a command.'),
    trusted: z.boolean().describe('The current command is trusted after this command ran.'),
    already_trusted: z.boolean().describe('With `trust`: the command was trusted before; nothing was written.'),
    removed: z.int().min(0).describe('With `revoke`: how many trusted commands were removed.'),
    entries: z.array(TrustedEntryJsonSchema).describe("This repository's trusted commands after this command ran."),
  },
  'Output of `cairn trust --format json`.',
);
