import { listTransactionsRoot } from './layout.js';
import type { PublishRecorder } from './recorder.js';
import { planRecovery, recover, type RecoveryOptions, type RecoveryPlan } from './recovery.js';

export interface RecoverPendingInput {
  liveRoot: string;
  recorder?: PublishRecorder | undefined;
  lockTimeoutMs?: number | undefined;
  /** Where a rolled-forward transaction's published-snapshot record goes. */
  repoRoot?: string | undefined;
}

/**
 * Finishes or undoes interrupted publish transactions under the live root
 * before a command reads the live tree (a publish recovers them too, but
 * only after the command took its base snapshot from a half-swapped tree).
 * Transactions recovery must leave alone cause no lock to be taken.
 * Returns the plans executed.
 */
export async function recoverPendingTransactions(input: RecoverPendingInput): Promise<RecoveryPlan[]> {
  const { transactions } = await listTransactionsRoot(input.liveRoot);
  if (transactions.length === 0) return [];
  let actionable = false;
  for (const txDir of transactions) {
    if ((await planRecovery(input.liveRoot, txDir)).action !== 'leave') actionable = true;
  }
  if (!actionable) return [];
  const options: RecoveryOptions = {};
  if (input.recorder !== undefined) options.recorder = input.recorder;
  if (input.lockTimeoutMs !== undefined) options.lockTimeoutMs = input.lockTimeoutMs;
  if (input.repoRoot !== undefined) options.repoRoot = input.repoRoot;
  const report = await recover(input.liveRoot, options);
  return report.plans.filter((plan) => plan.action !== 'leave');
}
