/*
 * The name rule for a new migration: what `cairn new` accepts. It is
 * stricter than what cairn reads (any safe path segment, so migrations the
 * original tool named with capitals or underscores stay readable): a name
 * that is also a plain word in a shell, a URL, a branch name and every
 * file system.
 */

export const SLUG_MAX_LENGTH = 64;
const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The rule, in words, for messages and docs. */
export const SLUG_RULE =
  `lowercase letters a-z, digits and single '-' between them (not at either end), at most ${SLUG_MAX_LENGTH} characters`;

/** Null when `slug` follows the rule, else what breaks it. */
export function slugRuleProblem(slug: string): string | null {
  if (slug.length === 0) return 'it is empty';
  if (slug.length > SLUG_MAX_LENGTH) return `it has ${slug.length} characters, more than ${SLUG_MAX_LENGTH}`;
  if (SLUG_PATTERN.test(slug)) return null;
  if (/[A-Z]/.test(slug)) return 'it has capital letters';
  if (/^-|-$/.test(slug)) return "it starts or ends with '-'";
  if (slug.includes('--')) return "it has '--'";
  return "it has characters other than a-z, 0-9 and '-'";
}

/** A name that follows the rule, made from `slug` (lowercased, every other run of characters a single '-'), or null when nothing is left. */
export function suggestedSlug(slug: string): string | null {
  const suggestion = slug
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX_LENGTH)
    .replace(/-+$/, '');
  return suggestion === '' ? null : suggestion;
}
