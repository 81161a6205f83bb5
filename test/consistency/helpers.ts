import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Rewrites a JSON file through `edit` (2-space indent, trailing newline). */
export function editJson(file: string, edit: (value: Record<string, unknown>) => void): void {
  const value = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(value);
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Finding fields compared by the rule tests (everything but mode, slug and hint, which have their own tests). */
export function brief(finding: { severity: string; code: string; path: string; message: string }, root: string) {
  return {
    severity: finding.severity,
    code: finding.code,
    path: path.relative(root, finding.path),
    message: finding.message,
  };
}
