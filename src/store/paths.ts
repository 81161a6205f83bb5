import path from 'node:path';

/** File name of the local store inside `<repo>/.planning/`. */
export const STORE_FILE_NAME = 'cairn.db';

/** Where the local store of the repository rooted at `repoRoot` lives: `<repoRoot>/.planning/cairn.db`. */
export function storePathFor(repoRoot: string): string {
  return path.join(path.resolve(repoRoot), '.planning', STORE_FILE_NAME);
}
