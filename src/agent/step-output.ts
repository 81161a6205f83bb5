import { CairnError } from '../util/index.js';
import { MAX_STEP_OUTPUT_BYTES } from './capture.js';

/*
 * One cap for a step's output, whoever produced it: an agent's stdout past
 * it is not accepted, and neither is output handed over by `cairn accept`
 * or the MCP accept tool.
 */

/**
 * The refusal of a step output from `source` (a file, "stdin", "the output
 * argument") of `bytes` bytes, or of at least that many when reading stopped
 * at the cap (`atLeast`).
 */
export function stepOutputTooLarge(source: string, bytes: number, atLeast = false): CairnError {
  const size = atLeast ? `more than ${bytes - 1} bytes` : `${bytes} bytes`;
  return new CairnError(
    'invalid-input',
    `The step output from ${source} is ${size}; cairn accepts at most ${MAX_STEP_OUTPUT_BYTES} bytes (16 MiB) of one step's output, as it keeps of an agent's output. Nothing was published.`,
    { hint: "Give the step's output only (its summary, findings or decision): the files the step writes belong in the workspace." },
  );
}

/** Refuses output longer than {@link MAX_STEP_OUTPUT_BYTES} bytes (UTF-8). */
export function checkStepOutputSize(output: string, source: string): void {
  const bytes = Buffer.byteLength(output, 'utf8');
  if (bytes > MAX_STEP_OUTPUT_BYTES) throw stepOutputTooLarge(source, bytes);
}
