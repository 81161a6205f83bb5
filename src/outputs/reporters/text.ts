import type { Severity } from '../../migration/index.js';
import { plural, visibleText, withoutWorkflowCommands } from '../../util/index.js';
import { repoRelative, type PaintColour, type Reporter, type ReporterOptions } from './types.js';

const INDENT = ' '.repeat(10);
const COLOUR: Record<Severity, PaintColour> = { error: 'red', warning: 'yellow', info: 'cyan' };

/**
 * Human output: each migration with findings as a heading, then per finding
 * its severity (coloured), code and repo-relative path, the message and the
 * hint; a one-line summary at the end. Names, paths, messages and hints
 * come from the repository: every control and bidi character in them is
 * shown visibly (`\x1b`, `\u202e`, a line break as `\n`), so each stays on
 * its line and no line can start a GitHub workflow command (the runner
 * reads `::` after leading spaces too).
 */
export function textReporter(options: ReporterOptions): Reporter {
  const paint = options.paint ?? ((_colour: PaintColour, text: string) => text);
  return {
    group(group) {
      if (group.findings.length === 0) return '';
      const lines = [paint('bold', visibleText(group.slug))];
      for (const finding of group.findings) {
        const severity = paint(COLOUR[finding.severity], finding.severity.padEnd(7));
        lines.push(`  ${severity} ${visibleText(finding.code)}  ${visibleText(repoRelative(options.repoRoot, finding.path))}`);
        lines.push(`${INDENT}${visibleText(finding.message)}`);
        lines.push(`${INDENT}${paint('dim', `hint: ${visibleText(finding.hint)}`)}`);
      }
      return withoutWorkflowCommands(`${lines.join('\n')}\n\n`);
    },
    end(summary) {
      const checked = `${plural(summary.migrations, 'migration')} checked`;
      if (summary.findings === 0) return `${paint('green', `No findings; ${checked}.`)}\n`;
      const counts = `${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}, ${summary.infos} info`;
      const line = `${counts}; ${checked}, ${summary.migrations_with_findings} with findings.`;
      return `${paint(summary.failed ? 'red' : 'yellow', line)}\n`;
    },
  };
}
