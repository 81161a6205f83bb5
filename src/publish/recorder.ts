/**
 * What the publish transaction remembers between runs (the store implements
 * it): the snapshot cairn last published per migration, which the dirty
 * check accepts as not a human edit, and an event log.
 */
export interface PublishRecorder {
  /** The snapshot id cairn last published at `<liveRoot>/<slug>`, or null. */
  lastPublishedSnapshot(liveRoot: string, slug: string): string | null;
  /** Remember that `snapshotId` is now live at `<liveRoot>/<slug>`. */
  recordPublished(liveRoot: string, slug: string, snapshotId: string): void;
  /** Append an event (`publish.published`, `lock.reclaimed`, `recovery`, …). */
  recordEvent(event: PublishEvent): void;
}

export interface PublishEvent {
  kind: string;
  slug: string | null;
  details: Record<string, unknown>;
}

/**
 * A recorder that keeps everything in memory, for one process: useful in
 * library use without a store and in tests.
 */
export class MemoryRecorder implements PublishRecorder {
  readonly events: PublishEvent[] = [];
  private readonly published = new Map<string, string>();

  lastPublishedSnapshot(liveRoot: string, slug: string): string | null {
    return this.published.get(key(liveRoot, slug)) ?? null;
  }

  recordPublished(liveRoot: string, slug: string, snapshotId: string): void {
    this.published.set(key(liveRoot, slug), snapshotId);
  }

  recordEvent(event: PublishEvent): void {
    this.events.push(event);
  }
}

function key(liveRoot: string, slug: string): string {
  return `${liveRoot}\0${slug}`;
}
