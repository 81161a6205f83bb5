// A child process that takes the publish lock of a live root through the
// built library and holds it. Input: one JSON argument
// {liveRoot, operation?, holdMs?, startAt?, timeoutMs?, staleLimitMs?}.
// Prints {"acquired": <epoch ms>, "lockId", "reclaimed"} when it has the
// lock and {"released": <epoch ms>} after release; with no holdMs it holds
// until stdin closes. Exit 3 on lock timeout.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist');
const { acquirePublishLock, MemoryRecorder } = await import(path.join(dist, 'publish', 'index.js'));

const args = JSON.parse(process.argv[2]);
const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
if (args.startAt !== undefined) {
  const wait = args.startAt - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
const recorder = new MemoryRecorder();
let lock;
try {
  lock = await acquirePublishLock(args.liveRoot, {
    operation: args.operation ?? 'test.hold',
    timeoutMs: args.timeoutMs ?? 30000,
    recorder,
    ...(args.staleLimitMs === undefined ? {} : { staleLimitMs: args.staleLimitMs }),
  });
} catch (error) {
  print({ error: { code: error.code ?? null, message: error.message } });
  process.exit(error.code === 'lock-timeout' ? 3 : 2);
}
const reclaims = recorder.events.filter((e) => e.kind === 'lock.reclaimed');
print({
  acquired: Date.now(),
  lockId: lock.lockId,
  reclaimed: reclaims.length,
  reclaims: reclaims.map((e) => ({ reason: e.details.reason, lockId: e.details.previous_owner?.lock_id ?? null })),
});
if (args.holdMs !== undefined) {
  await new Promise((resolve) => setTimeout(resolve, args.holdMs));
} else {
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.on('end', resolve));
}
try {
  await lock.assertHeld();
} catch (error) {
  // Removed on purpose (cairn unlock --force): report it, do not crash.
  print({ lost: error.message });
  await lock.release().catch(() => undefined);
  process.exit(4);
}
const releasedAt = Date.now();
await lock.release();
print({ released: releasedAt });
