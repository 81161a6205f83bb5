/**
 * Carrying out phases: the validation command a phase is checked with, and
 * the user's trust in a command named by a repository.
 */
export {
  isTrusted,
  listTrusted,
  listTrustedFor,
  revokeTrust,
  trustCommand,
  trustedRepoKey,
  validateCommandDigest,
  type TrustEntry,
} from './trust.js';
export {
  resolveValidationCommand,
  untrustedCommandError,
  visibleCommand,
  type ResolveValidationInput,
  type ValidationCommand,
  type ValidationSource,
} from './validation-command.js';
