import type { DoctorGroup } from '../../consistency/index.js';
import { visibleLines, withoutWorkflowCommands } from '../../util/index.js';
import { repoRelative, type Reporter, type ReporterOptions } from './types.js';

/*
 * JUnit XML as CI systems read it: one testcase per checked unit (each
 * migration, plus `__transactions__` and `.planning` when checked), one
 * <failure> per finding.
 */

/**
 * Text and attribute escaping. Control and bidi characters are rendered
 * visibly (`\x1b`, `\u202e`; newlines stay);
 * anything else XML 1.0 cannot hold becomes U+FFFD.
 */
export function escapeXml(text: string): string {
  return visibleLines(text)
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function testcase(group: DoctorGroup, repoRoot: string): string {
  const name = escapeXml(group.slug);
  const file = escapeXml(repoRelative(repoRoot, group.path));
  const open = `    <testcase classname="cairn.doctor" name="${name}" file="${file}"`;
  if (group.findings.length === 0) return `${open}/>\n`;
  const failures = group.findings.map((finding) => {
    const body = `${finding.severity} ${finding.code} ${repoRelative(repoRoot, finding.path)}\n${finding.message}\nhint: ${finding.hint}`;
    return `      <failure type="${escapeXml(finding.code)}" message="${escapeXml(finding.message)}">${escapeXml(body)}</failure>\n`;
  });
  return `${open}>\n${failures.join('')}    </testcase>\n`;
}

/** The whole `<testsuites>` document, written at the end (its counts come first). */
export function junitReporter(options: ReporterOptions): Reporter {
  const cases: string[] = [];
  let failing = 0;
  return {
    group(group) {
      cases.push(testcase(group, options.repoRoot));
      if (group.findings.length > 0) failing += 1;
      return '';
    },
    end() {
      const tests = cases.length;
      // A failure body keeps its line breaks; none of its lines may read as a workflow command in a CI log.
      return withoutWorkflowCommands(
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<testsuites name="cairn doctor" tests="${tests}" failures="${failing}">\n` +
        `  <testsuite name="cairn doctor" tests="${tests}" failures="${failing}" errors="0" skipped="0">\n` +
        cases.join('') +
        '  </testsuite>\n' +
        '</testsuites>\n'
      );
    },
  };
}
