import { messageOf } from '../util/index.js';
import type { Finding } from '../migration/index.js';
import { planRecovery } from '../publish/index.js';
import { makeFinding } from './rules.js';
import { leftoverTransactionFindings, type TransactionDirInspector } from './transactions.js';

const ACTION_WORDS = {
  'roll-forward': 'roll it forward',
  'roll-back': 'roll it back',
  discard: 'discard it',
} as const;

/**
 * Doctor's view of `__transactions__/<tx>` directories, from the same
 * decision logic recovery uses: cairn's interrupted publishes are
 * `transaction-incomplete` with the action recovery would take; directories
 * recovery would leave alone (the v1 tool's debris) stay `transaction-leftover`.
 */
export function transactionIncompleteInspector(liveRoot: string): TransactionDirInspector {
  return async (transactionDirs) => {
    const findings: Finding[] = [];
    for (const dir of transactionDirs) {
      let plan;
      try {
        plan = await planRecovery(liveRoot, dir);
      } catch (error) {
        findings.push(
          makeFinding('transaction-incomplete', {
            mode: 'doctor',
            slug: '__transactions__',
            path: dir,
            message: `Interrupted publish could not be inspected: ${messageOf(error)}`,
          }),
        );
        continue;
      }
      if (plan.action === 'leave') {
        findings.push(...(await leftoverTransactionFindings([dir])));
        continue;
      }
      const subject = plan.slug === null ? 'An interrupted publish' : `An interrupted publish of '${plan.slug}'`;
      findings.push(
        makeFinding('transaction-incomplete', {
          mode: 'doctor',
          slug: '__transactions__',
          path: dir,
          message: `${subject} is pending recovery; recovery would ${ACTION_WORDS[plan.action]}: ${plan.reason}.`,
        }),
      );
    }
    return findings;
  };
}
