import { describe, expect, it } from 'vitest';
import { ProjectConfigSchema } from '../../src/config/index.js';
import { plainlyValidConfig } from '../../src/config/plain-config.js';

// The start-up check must give exactly what the schema gives (key order
// included) for every config it accepts, and leave the rest to the schema.
const ACCEPTED: unknown[] = [
  { migrations_dir: 'migrations' },
  { validate: 'npm test', agent: { effort: 'low', agent: 'codex' }, lock_timeout_ms: 0, migrations_dir: 'm', review: 'always' },
  { migrations_dir: 'm', review: 'when-flagged', lock_timeout_ms: 3_600_000, agent: {} },
  { migrations_dir: 'm', agent: { model: 'gpt', effort: 'xhigh', agent: 'manual' }, validate: 'make check\tV=1' },
];

const LEFT_TO_THE_SCHEMA: unknown[] = [
  null,
  [],
  'migrations',
  {},
  { migrations_dir: '' },
  { migrations_dir: 1 },
  { migrations_dir: 'm', extra: true },
  { migrations_dir: 'm', review: 'never' },
  { migrations_dir: 'm', lock_timeout_ms: -1 },
  { migrations_dir: 'm', lock_timeout_ms: 1.5 },
  { migrations_dir: 'm', lock_timeout_ms: 3_600_001 },
  { migrations_dir: 'm', lock_timeout_ms: '10' },
  { migrations_dir: 'm', agent: null },
  { migrations_dir: 'm', agent: { agent: 'other' } },
  { migrations_dir: 'm', agent: { model: '' } },
  { migrations_dir: 'm', agent: { effort: 'max' } },
  { migrations_dir: 'm', agent: { command: 'x' } },
  { migrations_dir: 'm', validate: '' },
  { migrations_dir: 'm', validate: '   ' },
  { migrations_dir: 'm', validate: 'npm test\nrm -rf ~' },
  { migrations_dir: 'm', validate: ['npm', 'test'] },
  Object.assign(Object.create(null), { migrations_dir: 'm' }),
];

describe('the plain config check', () => {
  it('gives what the schema gives, key order included, for a plainly valid config', () => {
    for (const value of ACCEPTED) {
      const plain = plainlyValidConfig(value);
      expect(plain).not.toBeNull();
      expect(JSON.stringify(plain)).toBe(JSON.stringify(ProjectConfigSchema.parse(value)));
      expect(plain).not.toBe(value);
    }
  });

  it('leaves every invalid or unusual config to the schema', () => {
    for (const value of LEFT_TO_THE_SCHEMA) expect(plainlyValidConfig(value)).toBeNull();
    // The schema refuses all of these but the object without a prototype.
    expect(LEFT_TO_THE_SCHEMA.filter((value) => ProjectConfigSchema.safeParse(value).success)).toHaveLength(1);
  });
});
