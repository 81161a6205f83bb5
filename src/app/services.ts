import type { ProjectContext } from '../config/index.js';
import { messageOf } from '../util/index.js';
import type { PublishRecorder } from '../publish/index.js';
import { openStore, storePathFor, type Store, type StoreJson } from '../store/index.js';
import type { Io } from './io.js';

/** What a mutating command needs from the local store. */
export interface Services {
  /** The store, or null when it could not be opened (commands still work). */
  store: Store | null;
  recorder: PublishRecorder | undefined;
  close(): void;
}

/** Adapt the store to the publish transaction's recorder interface. */
export function storeRecorder(store: Store): PublishRecorder {
  return {
    lastPublishedSnapshot: (liveRoot, slug) => store.getPublishedSnapshot(liveRoot, slug)?.snapshotId ?? null,
    recordPublished: (liveRoot, slug, snapshotId) => void store.setPublishedSnapshot(liveRoot, slug, snapshotId),
    recordEvent: (event) => void store.recordEvent({ kind: event.kind, slug: event.slug, details: event.details as StoreJson }),
  };
}

/** How a read command that can do without the store opens it. */
export interface ServicesOptions {
  /** How long to wait for another process's lock on the store (default: the store's own, 5 s). */
  busyTimeoutMs?: number;
  /**
   * Skip `PRAGMA quick_check` on open (default: run it). For a command that
   * only uses the store as a cache and falls back when a read of it fails.
   */
  skipQuickCheck?: boolean;
  /** What the command does instead when the store cannot be opened (ends the warning). */
  fallback?: string;
}

/**
 * Open `.planning/cairn.db` for a command. The store is never the source of
 * truth: when it cannot be opened the command goes on without local history
 * (and with the strict dirty check), after saying so on stderr. A damaged
 * store is moved aside and rebuilt by `openStore`; that is reported too.
 */
export function openServices(context: ProjectContext, io: Io, options: ServicesOptions = {}): Services {
  let store: Store | null = null;
  try {
    store = openStore(storePathFor(context.repoRoot), {
      ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
      ...(options.skipQuickCheck === true ? { quickCheck: false } : {}),
    });
  } catch (error) {
    io.stderr(`Warning: the local store could not be opened (${messageOf(error)}); ${options.fallback ?? 'continuing without local history'}.\n`);
    return { store: null, recorder: undefined, close: () => {} };
  }
  if (store.recovered !== null) {
    io.stderr(
      `Warning: the local store was damaged (${store.recovered.reason}); it was moved to ${store.recovered.movedTo} and a new one was created. Local run history was lost; the plan itself (files under git) is untouched.\n`,
    );
  }
  const opened = store;
  return {
    store: opened,
    recorder: storeRecorder(opened),
    close: () => opened.close(),
  };
}
