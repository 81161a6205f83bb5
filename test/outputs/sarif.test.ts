import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { doctorAll, summarize, type DoctorGroup } from '../../src/consistency/index.js';
import { createReporter } from '../../src/outputs/index.js';
import { REPO_ROOT } from '../support/cli.js';
import { fixtureRepo } from '../support/repo.js';

/* The SARIF output validates against the OASIS SARIF 2.1.0 JSON schema. */

const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json'), 'utf8')) as object;
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

async function sarifFor(repo: string): Promise<unknown> {
  const groups: DoctorGroup[] = [];
  for await (const group of doctorAll({ repoRoot: repo, liveRoot: path.join(repo, 'migrations'), configPath: path.join(repo, '.planning', 'config.json') })) {
    groups.push(group);
  }
  const reporter = createReporter('sarif', { repoRoot: repo, toolVersion: '0.1.0' });
  return JSON.parse(groups.map((group) => reporter.group(group)).join('') + reporter.end(summarize(groups)));
}

describe('sarif output', () => {
  it('is valid SARIF 2.1.0 for the cr-v1 fixture (16 results)', async () => {
    const log = (await sarifFor(fixtureRepo())) as { runs: { results: unknown[] }[] };
    const validate = validator();
    const valid = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(log.runs[0]?.results).toHaveLength(16);
  });

  it('rejects a log that breaks the schema (the validator is live)', () => {
    const validate = validator();
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} }, results: [] }] })).toBe(false);
    expect(validate.errors?.map((error) => [error.instancePath, error.message])).toEqual([
      ['/runs/0/tool/driver', "must have required property 'name'"],
    ]);
  });
});
