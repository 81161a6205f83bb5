import os from 'node:os';
import path from 'node:path';
import * as z from 'zod';
import { encodeJson, jsonObject, parseJson, toPlainJson } from '../json/index.js';
import { lazily } from '../util/index.js';
import { procStat, readRegularTextSync, writeFileDurable } from '../fs/index.js';
import { isProcessAlive } from '../publish/index.js';

/*
 * Which cairn process works in a planning run directory: `owner.json`,
 * written when the run directory is made (and again by `cairn accept` when
 * it continues a manual run). `cairn clean` leaves a run alone while its
 * owner still runs, judged like an execution run: the pid is alive and its
 * /proc start time is the recorded one, so a reused pid is not taken for it.
 */

export const RUN_OWNER_FILE = 'owner.json';

const runOwnerSchema = lazily(() =>
  z
    .object({
      pid: z.number().int(),
      /** /proc start time of the process; null without /proc. */
      start_time: z.string().nullable(),
      host: z.string(),
    })
    .strict(),
);

type RunOwner = z.infer<ReturnType<typeof runOwnerSchema>>;

/** Records this process as the one working in `runDir`. */
export async function claimRun(runDir: string): Promise<void> {
  const owner = jsonObject();
  owner.host = os.hostname();
  owner.pid = process.pid;
  owner.start_time = procStat(process.pid)?.startTime ?? null;
  await writeFileDurable(path.join(runDir, RUN_OWNER_FILE), encodeJson(owner));
}

function readRunOwner(runDir: string): RunOwner | null {
  try {
    const parsed = runOwnerSchema().safeParse(toPlainJson(parseJson(readRegularTextSync(path.join(runDir, RUN_OWNER_FILE), { noFollow: true, maxBytes: 4096 }))));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Whether the process that owns `runDir` still runs: true while it does,
 * and for an owner on another host (which cannot be judged from here);
 * false once it is gone or when the run names no owner.
 */
export function runOwnerAlive(runDir: string): boolean {
  const owner = readRunOwner(runDir);
  if (owner === null) return false;
  if (owner.host !== os.hostname()) return true;
  if (!isProcessAlive(owner.pid)) return false;
  if (owner.start_time === null) return true;
  const stat = procStat(owner.pid);
  return stat === null || stat.startTime === owner.start_time;
}
