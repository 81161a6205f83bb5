import { listTransactionsRoot, lockDirPath } from './layout.js';
import type { RecoveryPlan } from './recovery-plan.js';

/*
 * Kept apart from recovery's execution, so that a read-only command does not
 * load the publish lock; what judges a transaction is loaded only when there
 * is one.
 */

/**
 * The interrupted publishes a command reading the live tree would see half
 * done: transactions that recovery would roll back or forward. None while a
 * live process holds the publish lock (its transaction is in progress, not
 * interrupted). Reads only.
 */
export async function interruptedPublishes(liveRoot: string): Promise<RecoveryPlan[]> {
  const { transactions } = await listTransactionsRoot(liveRoot);
  if (transactions.length === 0) return [];
  const [{ judgeStaleness, readLockHolder }, { planRecovery }] = await Promise.all([import('./lock-owner.js'), import('./recovery-plan.js')]);
  const holder = await readLockHolder(lockDirPath(liveRoot)).catch(() => null);
  if (holder !== null && !judgeStaleness(holder).stale) return [];
  const plans: RecoveryPlan[] = [];
  for (const txDir of transactions) {
    const plan = await planRecovery(liveRoot, txDir);
    if (plan.action === 'roll-back' || plan.action === 'roll-forward') plans.push(plan);
  }
  return plans;
}
