import { readFileSync, renameSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { doctorAll, doctorMigration, type DoctorGroup } from '../../src/consistency/index.js';
import { CR_V1, PLANNING } from '../support/fixture.js';
import { fixtureRepo } from '../support/repo.js';
import { tempDir } from '../support/tmp.js';

interface ExpectedFinding {
  code: string;
  path: string;
  message_contains: string;
}

const EXPECTED = JSON.parse(readFileSync(path.join(CR_V1, 'EXPECTED.json'), 'utf8')) as {
  broken: Record<string, { findings: ExpectedFinding[] }>;
  transactions: { findings: ExpectedFinding[] };
  list: Record<string, unknown>;
};

describe('doctorAll on the cr-v1 fixture', () => {
  it('reports exactly the expected defects, in the original’s terms, and nothing on valid migrations', async () => {
    const repo = fixtureRepo();
    const live = path.join(repo, 'migrations');
    const groups: DoctorGroup[] = [];
    for await (const group of doctorAll({ repoRoot: repo, liveRoot: live, configPath: path.join(repo, '.planning', 'config.json') })) {
      groups.push(group);
    }
    const findings = groups.flatMap((group) => group.findings);
    // (slug, code, repo-relative path) as the original names them: `v1` where cairn names it differently.
    const actual = findings.map((f) => [f.slug, f.v1?.code ?? f.code, path.relative(repo, f.path)].join(' ')).sort();
    const wanted = [
      ...Object.entries(EXPECTED.broken).flatMap(([slug, entry]) => entry.findings.map((f) => [slug, f.code, f.path].join(' '))),
      ...EXPECTED.transactions.findings.map((f) => ['__transactions__', f.code, f.path].join(' ')),
    ].sort();
    expect(actual).toEqual(wanted);

    for (const finding of findings) {
      const entry =
        finding.slug === '__transactions__' ? EXPECTED.transactions : (EXPECTED.broken[finding.slug] as { findings: ExpectedFinding[] });
      const expected = entry.findings.find((f) => f.code === (finding.v1?.code ?? finding.code));
      expect(finding.v1?.message ?? finding.message).toContain(expected?.message_contains);
      expect(finding.severity).toBe('error');
      expect(finding.mode).toBe('doctor');
    }

    // The one place cairn is more specific: the conflicted manifest is a merge conflict.
    expect(findings.filter((f) => f.v1 !== undefined).map((f) => [f.slug, f.code, f.message])).toEqual([
      [
        'type-error-handling-in-webhooks-20260401T100523',
        'merge-conflict',
        'Unresolved git merge conflict in manifest.json (first conflict marker on line 23).',
      ],
    ]);

    const valid = Object.keys(EXPECTED.list).filter((slug) => !(slug in EXPECTED.broken));
    expect(valid).toHaveLength(26);
    const bySlug = new Map(groups.map((group) => [group.slug, group]));
    expect(valid.map((slug) => [slug, bySlug.get(slug)?.findings])).toEqual(valid.map((slug) => [slug, []]));
    expect(groups.filter((g) => g.kind === 'migration')).toHaveLength(40);
  });

  it('finds, through a symlinked repository path, what checking each migration on its own finds', async () => {
    const repo = fixtureRepo({ commit: false });
    // A planning migration moved by hand: its state's refs and the move hint resolve both roots.
    renameSync(path.join(repo, 'migrations', PLANNING), path.join(repo, 'migrations', 'renamed-by-hand'));
    const link = path.join(tempDir(), 'repo-link');
    symlinkSync(repo, link);
    const live = path.join(link, 'migrations');
    const groups: DoctorGroup[] = [];
    for await (const group of doctorAll({ repoRoot: link, liveRoot: live })) if (group.kind === 'migration') groups.push(group);
    expect(groups).toHaveLength(40);
    const alone = await Promise.all(groups.map((group) => doctorMigration({ slug: group.slug, path: group.path }, { repoRoot: link })));
    expect(groups).toEqual(alone);
    const moved = groups.find((group) => group.slug === 'renamed-by-hand')?.findings.find((f) => f.code === 'migration-moved');
    expect(moved?.hint).toContain(`\`git mv migrations/renamed-by-hand migrations/${PLANNING}\``);
  });
});
