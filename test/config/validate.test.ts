import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProjectConfigSchema, readProjectConfig } from '../../src/config/index.js';
import { CairnError } from '../../src/util/errors.js';
import { tempDir } from '../support/tmp.js';

function issues(validate: unknown): string[] | null {
  const parsed = ProjectConfigSchema.safeParse({ migrations_dir: 'migrations', validate });
  return parsed.success ? null : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

const ONE_LINE = 'validate: it must be one line without control characters (tab aside), bidi controls or line separators';

describe('validate in .planning/config.json', () => {
  it('accepts a one-line command, tabs included', () => {
    expect(issues('npm test')).toBeNull();
    expect(issues('make check\tV=1 && echo "done"')).toBeNull();
    expect(ProjectConfigSchema.parse({ migrations_dir: 'm', validate: 'npm test' })).toEqual({ migrations_dir: 'm', validate: 'npm test' });
  });

  it('refuses an empty command, a non-string, newlines, controls, bidi controls and lone surrogates', () => {
    expect(issues('')).toEqual(['validate: it must not be empty']);
    expect(issues('   ')).toEqual(['validate: it must not be empty']);
    expect(issues(['npm', 'test'])).toEqual(['validate: Invalid input: expected string, received array']);
    for (const command of ['npm test\nrm -rf ~', 'npm test\r', 'a\u0000b', 'a\u001b[2Jb', 'a\u0085b', 'a\u202eb', 'a\u2028b', 'a\ud800b']) {
      expect(issues(command)).toEqual([ONE_LINE]);
    }
  });

  it('is reported with the config path when read from the repository', async () => {
    const repo = tempDir('cairn-repo-');
    const file = path.join(repo, '.planning', 'config.json');
    mkdirSync(path.dirname(file));
    writeFileSync(file, '{"migrations_dir": "migrations", "validate": "npm test\\nevil"}\n');
    const error = await readProjectConfig(file).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CairnError);
    expect((error as CairnError).message).toBe(`Invalid cairn config ${file}: ${ONE_LINE}`);
    writeFileSync(file, '{"migrations_dir": "migrations", "validate": "npm test"}\n');
    expect(await readProjectConfig(file)).toEqual({ migrations_dir: 'migrations', validate: 'npm test' });
  });
});
