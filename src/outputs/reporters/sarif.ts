import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RULES } from '../../consistency/index.js';
import type { Finding, Severity } from '../../migration/index.js';
import { repoRelative, type Reporter, type ReporterOptions } from './types.js';

/*
 * SARIF 2.1.0 (OASIS): one run, one rule per finding code in the registry,
 * one result per finding located at its repo-relative path.
 */

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
const SRCROOT = '%SRCROOT%';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

function ruleName(code: string): string {
  return code
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function sarifRules(): Record<string, unknown>[] {
  return RULES.map((rule) => ({
    id: rule.code,
    name: ruleName(rule.code),
    shortDescription: { text: rule.description },
    fullDescription: { text: `${rule.description} Runs: ${rule.runs}.` },
    help: { text: rule.hint },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: { origin: rule.origin },
  }));
}

/** `text` with each lone surrogate (which a URI cannot encode) replaced by U+FFFD. */
function wellFormed(text: string): string {
  return text.replace(/\p{Cs}/gu, '\uFFFD');
}

function artifactLocation(repoRoot: string, file: string): Record<string, string> {
  const relative = wellFormed(repoRelative(repoRoot, file));
  if (path.isAbsolute(relative)) return { uri: pathToFileURL(wellFormed(file)).href };
  return { uri: relative.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

/** The SARIF log as one pretty-printed JSON document. */
export function sarifReporter(options: ReporterOptions): Reporter {
  const index = new Map(RULES.map((rule, i) => [rule.code, i]));
  const results: Record<string, unknown>[] = [];
  const result = (finding: Finding) => {
    const entry: Record<string, unknown> = {
      ruleId: finding.code,
      level: LEVEL[finding.severity],
      message: { text: finding.message },
      locations: [{ physicalLocation: { artifactLocation: artifactLocation(options.repoRoot, finding.path) } }],
      properties: { slug: finding.slug, mode: finding.mode, hint: finding.hint },
    };
    const ruleIndex = index.get(finding.code);
    if (ruleIndex !== undefined) entry['ruleIndex'] = ruleIndex;
    return entry;
  };
  return {
    group(group) {
      for (const finding of group.findings) results.push(result(finding));
      return '';
    },
    end() {
      const root = pathToFileURL(options.repoRoot).href;
      const log = {
        $schema: SARIF_SCHEMA_URI,
        version: '2.1.0',
        runs: [
          {
            tool: {
              driver: {
                name: 'cairn',
                version: options.toolVersion ?? '0.0.0',
                rules: sarifRules(),
              },
            },
            originalUriBaseIds: { [SRCROOT]: { uri: root.endsWith('/') ? root : `${root}/` } },
            results,
          },
        ],
      };
      return `${JSON.stringify(log, null, 2)}\n`;
    },
  };
}
