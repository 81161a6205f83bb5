import { CairnError } from '../util/index.js';
import type { StepRunResult } from '../planning/index.js';
import { publishErrorMessage, type PublishResult } from '../publish/index.js';

/*
 * Operations that end without publishing return a result rather than
 * throwing; over MCP they are tool errors with the codes the CLI's errors
 * use: `blocked` or `failed` for a refused publish, `invalid-input` for
 * step output that was rejected.
 */

/** What to do about uncommitted changes in a live migration that are not cairn's own publish (never: discard them). */
export function dirtyMigrationHint(slug: string): string {
  return `The uncommitted changes in the live migration ${slug} are not cairn's last publish: commit them with git, or call doctor for ${slug} to inspect them, then try again.`;
}

/** The tool error of a publish that did not go through. */
export function publishFailure(result: PublishResult): CairnError {
  let hint: string;
  if (result.staleBase) {
    hint = `The live migration changed after this work was prepared: call next_prompt for ${result.slug} to prepare the step again from the current state.`;
  } else if (result.dirtyPaths.length > 0) {
    hint = dirtyMigrationHint(result.slug);
  } else {
    hint = `Call doctor for ${result.slug} to see what is wrong, fix it, then try again.`;
  }
  return new CairnError(result.status === 'failed' ? 'failed' : 'blocked', publishErrorMessage(result), { hint, path: result.liveDir });
}

/** The tool error of a step whose output was not published, or null when it was (or would be, in a dry run). */
export function stepFailure(result: StepRunResult): CairnError | null {
  if (result.status === 'published' || result.status === 'dry-run' || result.status === 'manual') return null;
  if (result.status === 'rejected') {
    return new CairnError('invalid-input', result.reason, {
      hint: `Correct the output (or the files in the workspace) and call accept for ${result.slug} again.`,
    });
  }
  if (result.publish !== null && result.publish.status !== 'published') {
    const failure = publishFailure(result.publish);
    if (!result.publish.staleBase || result.staleChange === null) return failure;
    const message = `${result.slug} changed after ${result.operation} was prepared: ${result.staleChange}; nothing was published.`;
    return new CairnError(failure.code, message, { hint: failure.hint ?? '', path: result.publish.liveDir });
  }
  return new CairnError('failed', result.reason);
}
