import { CairnError } from '../util/index.js';
export type ReadyVerdict = 'yes' | 'no' | 'unverifiable';
export interface ReadyAnswer { verdict: ReadyVerdict; reason: string; downgradedFromUnverifiable: boolean }
export function parseReadyAnswer(text: string): ReadyAnswer {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length === 0) throw new CairnError('failed', 'Phase ready-check produced no output');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^ready:\s*(yes|no|unverifiable)\b\s*(?:[—-]\s*(.*))?$/i.exec(lines[i] as string);
    if (m) return { verdict: (m[1] as string).toLowerCase() as ReadyVerdict, reason: (m[2] ?? '').trim(), downgradedFromUnverifiable: false };
  }
  throw new CairnError('failed', `Phase ready-check produced unrecognised output: ${lines[lines.length - 1]}`);
}
