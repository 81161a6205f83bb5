import type { DoctorSummary } from '../../consistency/index.js';
import type { Severity } from '../../migration/index.js';
import { plural, visibleText } from '../../util/index.js';
import { repoRelative, type Reporter, type ReporterOptions } from './types.js';

/*
 * GitHub Actions workflow commands, so findings show as annotations on the
 * pull request: `::error file=<path>,title=<code>::<message>`.
 */

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/**
 * Escapes a command's message as GitHub documents: `%`, CR and LF. Every
 * other control and bidi character is then rendered visibly (`\x1b`), so the
 * command stays one line of the log and prints nothing raw.
 */
export function escapeGithubData(text: string): string {
  return visibleText(text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
}

/** Escapes a command property value: as data, plus `:` and `,`. */
export function escapeGithubProperty(text: string): string {
  return escapeGithubData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One annotation per finding (message, then the hint on a second line) and a plain summary line. */
export function githubReporter(options: ReporterOptions): Reporter {
  return {
    group: (group) =>
      group.findings
        .map((finding) => {
          const file = escapeGithubProperty(repoRelative(options.repoRoot, finding.path));
          const title = escapeGithubProperty(finding.code);
          const message = escapeGithubData(`${finding.message}\nhint: ${finding.hint}`);
          return `::${COMMAND[finding.severity]} file=${file},title=${title}::${message}\n`;
        })
        .join(''),
    end: (summary) =>
      `cairn doctor: ${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}, ${summary.infos} info; ${plural(summary.migrations, 'migration')} checked.\n`,
  };
}

/**
 * doctor's summary as Markdown for a GitHub Actions job summary
 * (`$GITHUB_STEP_SUMMARY`), which `--format github` appends to when set.
 */
export function githubStepSummary(summary: DoctorSummary): string {
  const verdict = summary.failed ? `✗ **failed** (findings at or above ${summary.fail_on})` : '✓ **passed**';
  return (
    `### cairn doctor\n\n${verdict}: ${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}, ${summary.infos} info; ` +
    `${plural(summary.migrations, 'migration')} checked, ${summary.migrations_with_findings} with findings.\n\n`
  );
}
