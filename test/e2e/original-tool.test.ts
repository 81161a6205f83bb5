import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliEnv } from '../support/cli.js';
import { EXEC_AGENT, runRepo } from '../support/run-repo.js';
import { tempDir } from '../support/tmp.js';
// @ts-expect-error: a plain-JS bench module, without type declarations.
import { writeOriginalLauncher } from '../../bench/measure.js';

/*
 * The original continuous-refactoring tool reads what `cairn run` leaves:
 * its `migration list` shows the migration in progress at the next phase and
 * its `migration doctor` finds nothing. Needs the tool's source checkout
 * (`CAIRN_ORIGINAL_SRC=<checkout>/src`) and python3; skipped otherwise.
 */

const ORIGINAL_SRC = process.env['CAIRN_ORIGINAL_SRC'];

/** Runs the original CLI from its source tree (its version banner needs package metadata that a source tree lacks). */
function original(cwd: string, home: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const launcher = writeOriginalLauncher(ORIGINAL_SRC as string, home);
  const result = spawnSync('python3', [launcher, ...args], { cwd, env: cliEnv({ HOME: home, XDG_CONFIG_HOME: path.join(home, 'xdg') }), encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.skipIf(ORIGINAL_SRC === undefined)('the original tool after cairn run', () => {
  it('lists the migration in progress at the next phase and its doctor is clean; the manifest re-encodes byte for byte', () => {
    const r = runRepo();
    expect(r.cairn(['run', r.slug, ...EXEC_AGENT]).code).toBe(0);
    const home = tempDir('cairn-original-home-');
    expect(original(r.repo, home, ['init', '--live-migrations-dir', 'migrations']).code).toBe(0);
    const list = original(r.repo, home, ['migration', 'list']);
    expect(list.code).toBe(0);
    const row = list.stdout.split('\n').find((line) => line.startsWith(`${r.slug}\t`));
    expect(row?.split('\t').slice(0, 4)).toEqual([r.slug, 'in-progress', 'phase-2-split-module.md', 'no']);
    const doctor = original(r.repo, home, ['migration', 'doctor', '--all']);
    expect({ code: doctor.code, stdout: doctor.stdout }).toEqual({ code: 0, stdout: '' });
    const manifest = path.join(r.dir(r.slug), 'manifest.json');
    const reencoded = spawnSync('python3', ['-c', 'import json,sys; sys.stdout.write(json.dumps(json.load(open(sys.argv[1])), indent=2, sort_keys=True) + "\\n")', manifest], { encoding: 'utf8' });
    expect(reencoded.stdout).toBe(readFileSync(manifest, 'utf8'));
  });
});
