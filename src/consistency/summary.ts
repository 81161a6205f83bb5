import type { DoctorGroup } from './doctor.js';
import type { Finding, Severity } from '../migration/index.js';

/** Severities, most severe first. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

const RANK: Record<Severity, number> = { error: 2, warning: 1, info: 0 };

/** True when `severity` is at or above `threshold` (error > warning > info). */
export function isAtLeast(severity: Severity, threshold: Severity): boolean {
  return RANK[severity] >= RANK[threshold];
}

export interface DoctorSummary {
  /** Migrations checked. */
  migrations: number;
  /** Migrations with at least one finding. */
  migrations_with_findings: number;
  findings: number;
  errors: number;
  warnings: number;
  infos: number;
  /** The `--severity` threshold that fails the run. */
  fail_on: Severity;
  /** True when some finding is at or above `fail_on`. */
  failed: boolean;
}

/** Accumulates a summary group by group, so findings need not be kept. */
export class SummaryCounter {
  private readonly summary: DoctorSummary;

  constructor(failOn: Severity = 'error') {
    this.summary = {
      migrations: 0,
      migrations_with_findings: 0,
      findings: 0,
      errors: 0,
      warnings: 0,
      infos: 0,
      fail_on: failOn,
      failed: false,
    };
  }

  add(group: DoctorGroup): void {
    const summary = this.summary;
    if (group.kind === 'migration') {
      summary.migrations += 1;
      if (group.findings.length > 0) summary.migrations_with_findings += 1;
    }
    for (const finding of group.findings) this.count(finding);
  }

  private count(finding: Finding): void {
    const summary = this.summary;
    summary.findings += 1;
    if (finding.severity === 'error') summary.errors += 1;
    else if (finding.severity === 'warning') summary.warnings += 1;
    else summary.infos += 1;
    if (isAtLeast(finding.severity, summary.fail_on)) summary.failed = true;
  }

  result(): DoctorSummary {
    return { ...this.summary };
  }
}

/** The summary of complete groups. */
export function summarize(groups: readonly DoctorGroup[], failOn: Severity = 'error'): DoctorSummary {
  const counter = new SummaryCounter(failOn);
  for (const group of groups) counter.add(group);
  return counter.result();
}

/** Doctor's exit code: 1 when some finding is at or above the threshold, else 0. */
export function doctorExitCode(summary: DoctorSummary): number {
  return summary.failed ? 1 : 0;
}
