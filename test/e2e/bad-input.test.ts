import { openSync, closeSync, ftruncateSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { DONE as GOOD, PLANNING } from '../support/fixture.js';
import { cairnRepo } from '../support/repo.js';

/** A git repository set up by `cairn init` holding one fixture migration, uncommitted. */
function repoWith(slug: string): { repo: string; dir: string } {
  const t = cairnRepo({ prefix: 'cairn-bad-', git: true, fixtures: [slug] });
  return { repo: t.repo, dir: t.dir(slug) };
}

type Corruption = { name: string; file: 'manifest.json' | '.planning/state.json'; apply: (text: string, file: string) => void; message: RegExp };

const write = (file: string, content: string | Buffer) => writeFileSync(file, content);

const CORRUPTIONS: Corruption[] = [
  { name: 'truncated manifest', file: 'manifest.json', apply: (t, f) => write(f, t.slice(0, 200)), message: /Could not parse manifest .*manifest\.json: (Unterminated string|Expecting)/ },
  { name: 'wrong type', file: 'manifest.json', apply: (t, f) => write(f, t.replace('"done": true', '"done": "yes"')), message: /done/ },
  { name: 'top level not an object', file: 'manifest.json', apply: (_t, f) => write(f, '[1, 2]\n'), message: /must be an object/ },
  { name: 'huge number', file: '.planning/state.json', apply: (t, f) => write(f, t.replace('"schema_version": 1', `"schema_version": ${'9'.repeat(400)}`)), message: /Unsupported planning state schema_version/ },
  { name: 'invalid UTF-8', file: 'manifest.json', apply: (t, f) => write(f, Buffer.concat([Buffer.from(t.slice(0, 20)), Buffer.from([0xff, 0xfe]), Buffer.from(t.slice(20))])), message: /Could not load manifest .*'utf-8' codec can't decode byte 0xff/ },
  { name: 'conflict markers', file: 'manifest.json', apply: (t, f) => write(f, t.replace('  "status": "done",\n', '<<<<<<< HEAD\n  "status": "done",\n=======\n  "status": "ready",\n>>>>>>> other\n')), message: /has a git merge conflict in manifest\.json/ },
  { name: 'unknown state key', file: '.planning/state.json', apply: (t, f) => write(f, t.replace('"feedback": [],', '"feedback": [],\n  "surprise": 1,')), message: /has unknown keys: surprise/ },
  { name: 'float schema version', file: '.planning/state.json', apply: (t, f) => write(f, t.replace('"schema_version": 1', '"schema_version": 1.0')), message: /schema_version/ },
  { name: 'string schema version', file: '.planning/state.json', apply: (t, f) => write(f, t.replace('"schema_version": 1', '"schema_version": "1"')), message: /schema_version/ },
];

describe('bad input never crashes cairn', () => {
  for (const corruption of CORRUPTIONS) {
    // A git merge conflict is a state to resolve (exit 1, with `cairn resolve`); any other damage is bad input (exit 2).
    const statusCode = corruption.name === 'conflict markers' ? 1 : 2;
    it(`${corruption.name}: status exits ${statusCode} with a clear error; list shows a blocked row`, () => {
      const slug = corruption.file === 'manifest.json' ? GOOD : PLANNING;
      const { repo, dir } = repoWith(slug);
      const file = path.join(dir, corruption.file);
      corruption.apply(readFileSync(file, 'utf8'), file);
      const status = runCli(['status', slug], { cwd: repo });
      expect(status.code).toBe(statusCode);
      expect(status.stderr).toMatch(/^Error: /);
      expect(status.stderr).not.toMatch(/\n\s+at /);
      expect(status.stderr).toMatch(corruption.message);
      const list = runCli(['list', '--format', 'tsv', '--no-headers'], { cwd: repo });
      expect(list.code).toBe(0);
      const row = list.stdout.trimEnd().split('\t');
      expect(row[0]).toBe(slug);
      if (corruption.file === 'manifest.json') {
        expect(row.slice(1, 3)).toEqual(['invalid-manifest', 'blocked']);
        expect(row[6]).toMatch(/^invalid-manifest: /);
      } else {
        expect(row.slice(1, 3)).toEqual(['planning', 'planning:blocked']);
        expect(row[6]).toBe('planning-state-invalid');
      }
    });
  }

  it('refuses a 50 MB manifest without reading it into memory', () => {
    const { repo, dir } = repoWith(GOOD);
    const file = path.join(dir, 'manifest.json');
    const fd = openSync(file, 'w');
    writeSync(fd, '{"name": "');
    ftruncateSync(fd, 50 * 1024 * 1024);
    closeSync(fd);
    const status = runCli(['status', GOOD], { cwd: repo });
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('Could not load manifest');
    expect(status.stderr).toContain('file is 52428800 bytes; cairn reads JSON documents of at most 33554432 bytes');
    const list = runCli(['list', '--format', 'tsv', '--no-headers'], { cwd: repo });
    expect(list.stdout.split('\t').slice(1, 3)).toEqual(['invalid-manifest', 'blocked']);
  });
});
