import type { ProjectContext } from '../config/index.js';
import { CairnError } from '../util/index.js';
import { openStore, storePathFor } from '../store/index.js';
import type { Io } from './io.js';
import { listMigrations } from './list-index.js';
import { refreshOutputDigests, type DigestRefresh } from './output-digests.js';

/** What `cairn index` did. */
export interface IndexReport {
  /** The local store, absolute. */
  store: string;
  /** Migrations `cairn list` lists. */
  listRows: number;
  /** Of them, rows computed again because what they were computed from had changed. */
  listRefreshed: number;
  digests: DigestRefresh;
}

/**
 * `cairn index`: brings the local store's caches up to date, the list index
 * (what `cairn list` refreshes as it lists) and the verified digests of
 * stage outputs (which only this command writes, and `cairn doctor` reads).
 * The store is local and never the source of truth: this changes no file
 * of the plan. Throws CairnError('not-initialized') outside an initialised
 * project (where the store would not be gitignored) and the store's errors.
 */
export async function indexProject(context: ProjectContext, io: Io): Promise<IndexReport> {
  if (context.configPath === null) {
    throw new CairnError('not-initialized', `${context.repoRoot} has no .planning/config.json, so it has no local store to index into.`, {
      hint: 'Run `cairn init` at the repository root first.',
    });
  }
  const store = openStore(storePathFor(context.repoRoot));
  try {
    if (store.recovered !== null) {
      io.stderr(`Warning: the local store was damaged (${store.recovered.reason}); it was moved to ${store.recovered.movedTo} and a new one was created.\n`);
    }
    let writeWarning: string | null = null;
    let listRefreshed = 0;
    const rows = await listMigrations(
      context.liveRoot,
      context.repoRoot,
      store,
      context.reviewPolicy,
      (message) => {
        writeWarning ??= message;
      },
      (count) => {
        listRefreshed += count;
      },
    );
    if (writeWarning !== null) throw new CairnError('store', `The list index: ${writeWarning}`, { path: store.path });
    const digests = await refreshOutputDigests(store, context.liveRoot);
    store.checkpoint();
    return { store: store.path, listRows: rows.length, listRefreshed, digests };
  } finally {
    store.close();
  }
}
