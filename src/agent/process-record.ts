import { readFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { procPids, procStat, readRegularFileSync, writeFileDurable } from '../fs/index.js';
import { encodeJson, pickJson } from '../json/index.js';
import { errnoCode } from '../util/index.js';
import { groupHasLiveMembers, reapGroup } from './process-group.js';

/*
 * The agent's process group outlives cairn when cairn itself is killed
 * (SIGKILL, OOM): nothing is left to stop it. So while an agent runs, its
 * run directory holds `agent.json`, naming the group and how to recognise
 * it, and the next run of that migration (or `cairn recover`) stops a group
 * whose cairn is gone.
 *
 * A process id can be reused, and the file sits in the repository, where
 * a commit could plant one. So a group is signalled only when everything
 * matches on this machine: the host name, the boot id (unknown to anyone
 * else, and new after every reboot), and either the leader's start time
 * (field 22 of /proc/<pid>/stat) or, once the leader is gone, a member whose
 * environment holds this run's `CAIRN_WORKSPACE`. A group whose cairn is
 * still running is left alone. Without /proc nothing is ever signalled.
 */

export const AGENT_RECORD_FILE = 'agent.json';

/** What `agent.json` holds. */
export interface AgentProcessRecord {
  schema_version: 1;
  /** The agent's pid; it leads its own group, so this is also the group id. */
  pid: number;
  pgid: number;
  host: string;
  boot_id: string;
  /** Start time of the agent, in clock ticks after boot (/proc/<pid>/stat field 22). */
  start_time: string;
  /** The cairn process that started the agent, and its start time. */
  cairn_pid: number;
  cairn_start_time: string;
  /** `CAIRN_WORKSPACE` of the agent, inherited by everything it starts. */
  workspace: string;
}

/** What became of one recorded agent group. */
export interface AbandonedAgent {
  runDir: string;
  pgid: number;
  /** `stopped`: the group was still running and was ended; `gone`: nothing of it was left. `running`: its cairn still runs it. */
  outcome: 'stopped' | 'gone' | 'running';
}

/** This machine's boot id (new after every reboot), or null without /proc. */
export function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/**
 * The record for an agent just started as `pid` (the leader of its group),
 * or null where cairn could not recognise the group later (no /proc).
 */
export function agentProcessRecord(pid: number, workspace: string): AgentProcessRecord | null {
  const boot = bootId();
  const agent = procStat(pid);
  const self = procStat(process.pid);
  if (boot === null || agent === null || self === null) return null;
  return {
    schema_version: 1,
    pid,
    pgid: pid,
    host: os.hostname(),
    boot_id: boot,
    start_time: agent.startTime,
    cairn_pid: process.pid,
    cairn_start_time: self.startTime,
    workspace,
  };
}

const RECORD_KEYS = ['schema_version', 'pid', 'pgid', 'host', 'boot_id', 'start_time', 'cairn_pid', 'cairn_start_time', 'workspace'] as const;

/** Writes `<runDir>/agent.json` durably (encoded as every cairn JSON file, docs/format.md §3.1). */
export async function writeAgentRecord(runDir: string, record: AgentProcessRecord): Promise<void> {
  await writeFileDurable(path.join(runDir, AGENT_RECORD_FILE), encodeJson(pickJson(record, RECORD_KEYS)));
}

/** Removes `<runDir>/agent.json`; a missing file is fine. */
export async function removeAgentRecord(runDir: string): Promise<void> {
  try {
    await unlink(path.join(runDir, AGENT_RECORD_FILE));
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
}

function isTicks(value: unknown): value is string {
  return typeof value === 'string' && /^\d{1,20}$/.test(value);
}

function isPid(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 1;
}

/** `<runDir>/agent.json` when it is a well-formed record, else null. */
function readAgentRecord(runDir: string): AgentProcessRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(readRegularFileSync(path.join(runDir, AGENT_RECORD_FILE), { maxBytes: 64 * 1024, noFollow: true }).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  const ok =
    r['schema_version'] === 1 &&
    isPid(r['pid']) &&
    r['pgid'] === r['pid'] &&
    typeof r['host'] === 'string' &&
    typeof r['boot_id'] === 'string' &&
    isTicks(r['start_time']) &&
    isPid(r['cairn_pid']) &&
    isTicks(r['cairn_start_time']) &&
    typeof r['workspace'] === 'string';
  return ok ? (value as AgentProcessRecord) : null;
}

/** Whether a live member of group `pgid` carries `CAIRN_WORKSPACE=<workspace>` in its environment. */
function groupMemberOfRun(pgid: number, workspace: string): boolean {
  const marker = Buffer.from(`\0CAIRN_WORKSPACE=${workspace}\0`);
  return (procPids() ?? []).some((pid) => {
    const stat = procStat(pid);
    if (stat === null || stat.zombie || stat.pgrp !== pgid) return false;
    try {
      return Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${pid}/environ`)]).includes(marker);
    } catch {
      return false; // gone meanwhile, or not ours to read
    }
  });
}

type Verdict = 'ours' | 'gone' | 'running' | 'elsewhere';

function judge(record: AgentProcessRecord): Verdict {
  if (record.host !== os.hostname()) return 'elsewhere';
  if (bootId() !== record.boot_id) return 'gone';
  const cairn = procStat(record.cairn_pid);
  if (cairn !== null && cairn.startTime === record.cairn_start_time && !cairn.zombie) return 'running';
  const leader = procStat(record.pid);
  if (leader !== null && !leader.zombie && leader.startTime === record.start_time && leader.pgrp === record.pgid) return 'ours';
  if (leader !== null && leader.startTime !== record.start_time) {
    // The pid was reused: the recorded group ended long ago.
    return 'gone';
  }
  if (!groupHasLiveMembers(record.pgid)) return 'gone';
  return groupMemberOfRun(record.pgid, record.workspace) ? 'ours' : 'gone';
}

/**
 * Looks at the `agent.json` of each run directory: a group left running by
 * a cairn that is gone is stopped (SIGTERM, then SIGKILL after `graceMs`),
 * and the record is removed once nothing of its group runs. Records of
 * another host, and of groups whose cairn still runs, are kept. With
 * `dryRun`, nothing is signalled or removed: the outcome says what would be.
 */
export async function reapAbandonedAgents(runDirs: readonly string[], options: { graceMs?: number; dryRun?: boolean } = {}): Promise<AbandonedAgent[]> {
  const found: AbandonedAgent[] = [];
  for (const runDir of runDirs) {
    const record = readAgentRecord(runDir);
    if (record === null) continue;
    const verdict = judge(record);
    if (verdict === 'elsewhere') continue;
    if (verdict === 'running') {
      found.push({ runDir, pgid: record.pgid, outcome: 'running' });
      continue;
    }
    if (verdict === 'ours' && options.dryRun !== true) await reapGroup(record.pgid, options.graceMs ?? 2000, null);
    if (options.dryRun !== true) await removeAgentRecord(runDir);
    found.push({ runDir, pgid: record.pgid, outcome: verdict === 'ours' ? 'stopped' : 'gone' });
  }
  return found;
}
