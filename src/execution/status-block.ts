export interface StatusBlock { phase_reached: string | null; decision: string | null; retry_recommendation: string | null; failure_kind: string | null; summary: string | null; commit_rationale: string | null; next_retry_focus: string | null; tests_run: string | null; evidence: string[] }
export function parseStatusBlock(text: string): StatusBlock | null {
  const end = text.lastIndexOf('END_CONTINUOUS_REFACTORING_STATUS');
  const begin = text.lastIndexOf('BEGIN_CONTINUOUS_REFACTORING_STATUS', end);
  if (begin < 0 || end < 0) return null;
  const block: StatusBlock = { phase_reached: null, decision: null, retry_recommendation: null, failure_kind: null, summary: null, commit_rationale: null, next_retry_focus: null, tests_run: null, evidence: [] };
  for (const line of text.slice(begin, end).split('\n').slice(1)) {
    const m = /^\s*([a-z_]+):\s*(.*)$/.exec(line);
    if (m && m[1] !== 'evidence' && m[1]! in block) (block as unknown as Record<string, string>)[m[1]!] = m[2]!.trim();
    const e = /^\s*-\s+(.*)$/.exec(line);
    if (e) block.evidence.push(e[1]!.trim());
  }
  return block;
}
