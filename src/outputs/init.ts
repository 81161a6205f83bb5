import * as z from 'zod';
import { jsonDocument } from './document.js';

export const InitOutputSchema = jsonDocument(
  {
    repo_root: z.string(),
    config_path: z.string(),
    migrations_dir: z.string(),
    live_root: z.string(),
    created: z.array(z.string()).describe('Repo-relative paths created or changed.'),
    unchanged: z.array(z.string()).describe('Repo-relative paths that were already as required.'),
  },
  'Output of `cairn init --format json`.',
);
