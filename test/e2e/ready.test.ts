import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest, saveManifest } from '../../src/migration/manifest.js';
import { commitAll } from '../support/git.js';
import { fixturePlanRepo } from '../support/plan-repo.js';

const SLUGS = {
  planReview: 'extract-pagination-helpers-in-reports-20260421T081406',
  planExpand: 'remove-global-state-in-ingest-20260422T004017',
  planApproaches: 'src-notifications-validators-rb-20260426T192033',
  planBroken: 'deduplicate-feature-flags-in-payments-20260322T165923',
  reviewBilling: 'remove-logging-calls-in-inventory-20260313T164735',
  reviewSignature: 'src-storage-handlers-py-20260422T081612',
  phaseBilling: 'simplify-date-parsing-in-billing-20260412T052404',
  phaseCooling: 'src-cli-tasks-ts-20260402T140633',
  phaseSerializers: 'src-cli-serializers-py-20260329T045020',
  done: 'src-exports-queue-rb-20260402T081851',
  skipped: 'src-scheduler-session-py-20260403T070714',
};

describe('cairn ready', () => {
  it('lists planning steps, then reviews, then phases, each by creation time; leaves out the rest', async () => {
    const p = fixturePlanRepo(Object.values(SLUGS));
    const cooling = path.join(p.live, SLUGS.phaseCooling, 'manifest.json');
    await saveManifest(cooling, { ...(await loadManifest(cooling)), cooldown_until: '2999-01-01T00:00:00.000+00:00' });
    commitAll(p.repo, 'cool one down');

    const text = p.cli(['ready']);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    expect(text.stdout).toBe(
      [
        'Planning steps to run (3)',
        `  ${SLUGS.planReview}  review      cairn plan ${SLUGS.planReview}`,
        `  ${SLUGS.planExpand}          expand      cairn plan ${SLUGS.planExpand}`,
        `  ${SLUGS.planApproaches}        approaches  cairn plan ${SLUGS.planApproaches}`,
        '',
        'Reviews awaiting a human (2)',
        `  ${SLUGS.reviewBilling}  rollout touches billing exports — needs product sign-off         cairn review ${SLUGS.reviewBilling}`,
        `  ${SLUGS.reviewSignature}            phase 3 changes a public signature; a maintainer should confirm  cairn review ${SLUGS.reviewSignature}`,
        '',
        'Phases ready to start (2)',
        `  ${SLUGS.phaseSerializers}            migrations/${SLUGS.phaseSerializers}/phase-1-characterization-tests.md       cairn run ${SLUGS.phaseSerializers}`,
        `  ${SLUGS.phaseBilling}  migrations/${SLUGS.phaseBilling}/phase-1-introduce-adapter.md  cairn run ${SLUGS.phaseBilling}`,
        '',
      ].join('\n'),
    );

    const json = p.cli(['ready', '--format', 'json']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { schema_version: number; items: Record<string, unknown>[] };
    expect(parsed.schema_version).toBe(1);
    expect(parsed.items.map((item) => [item['kind'], item['slug']])).toEqual([
      ['plan', SLUGS.planReview],
      ['plan', SLUGS.planExpand],
      ['plan', SLUGS.planApproaches],
      ['review', SLUGS.reviewBilling],
      ['review', SLUGS.reviewSignature],
      ['phase', SLUGS.phaseSerializers],
      ['phase', SLUGS.phaseBilling],
    ]);
    expect(parsed.items[0]).toEqual({
      kind: 'plan',
      slug: SLUGS.planReview,
      created_at: '2026-04-21T08:14:06.213-07:00',
      detail: 'review',
      file: null,
      command: `cairn plan ${SLUGS.planReview}`,
    });
  });

  it('says so when there is nothing to do', () => {
    const p = fixturePlanRepo([SLUGS.done, SLUGS.skipped]);
    const result = p.cli(['ready']);
    expect(result.stdout).toBe('Nothing to do: no planning step, review or phase is ready.\n');
    expect(result.code).toBe(0);
  });
});
