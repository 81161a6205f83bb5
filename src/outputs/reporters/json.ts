import type { Finding } from '../../migration/index.js';
import type { DoctorSummary } from '../../consistency/index.js';
import type { DoctorJsonDocument, FindingJson } from './json-schema.js';
import { repoRelative, type Reporter, type ReporterOptions } from './types.js';

/**
 * A finding as the JSON format prints it: every field, plus `file`, the
 * repo-relative path, and `v1` (the original's code and message) when cairn
 * names the problem differently.
 */
export function findingJson(finding: Finding, repoRoot: string): FindingJson {
  const json: FindingJson = {
    slug: finding.slug,
    severity: finding.severity,
    mode: finding.mode,
    code: finding.code,
    path: finding.path,
    file: repoRelative(repoRoot, finding.path),
    message: finding.message,
    hint: finding.hint,
  };
  if (finding.v1 !== undefined) json.v1 = { code: finding.v1.code, message: finding.v1.message };
  return json;
}

/** The `--format json` document of a doctor run. */
export function doctorJsonDocument(findings: FindingJson[], summary: DoctorSummary): DoctorJsonDocument {
  return { schema_version: 1, findings, summary };
}

/** `{schema_version, findings, summary}` as one pretty-printed document. */
export function jsonReporter(options: ReporterOptions): Reporter {
  const findings: FindingJson[] = [];
  return {
    group(group) {
      for (const finding of group.findings) findings.push(findingJson(finding, options.repoRoot));
      return '';
    },
    end(summary) {
      return `${JSON.stringify(doctorJsonDocument(findings, summary), null, 2)}\n`;
    },
  };
}
