import { EFFORTS, type Effort } from '../migration/index.js';
export interface PhaseEffort { effort: Effort | null; required: Effort | null; max: Effort | null; overBudget: boolean }
const rank = (e: Effort): number => EFFORTS.indexOf(e);
export function phaseEffort(input: { defaultEffort: Effort | null; required: Effort | null; max: Effort | null }): PhaseEffort {
  let effort: Effort | null = input.defaultEffort;
  if (input.required !== null && (effort === null || rank(input.required) > rank(effort))) effort = input.required;
  if (effort !== null && input.max !== null && rank(effort) > rank(input.max)) effort = input.max;
  const overBudget = input.required !== null && input.max !== null && rank(input.required) > rank(input.max);
  return { effort, required: input.required, max: input.max, overBudget };
}
