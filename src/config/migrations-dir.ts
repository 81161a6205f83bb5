/*
 * `migrations_dir` is a path a repository commits (`.planning/config.json`),
 * so it is untrusted: it must name a plain directory below the repository
 * root, reached by ordinary names only. git's own directory and cairn's
 * `.planning` are not migrations roots.
 */

// C0 controls, DEL and C1 controls: never part of a directory name cairn accepts.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/** `value` for a message: quoted, with control characters written as escapes. */
export function showMigrationsDir(value: string): string {
  return JSON.stringify(value);
}

/**
 * Which rule a repository-relative `migrations_dir` breaks, or null when it
 * is a plain relative path of safe segments. Separators are `/` (and `\`,
 * which Windows reads as one).
 */
export function migrationsDirProblem(value: string): string | null {
  if (value === '') return 'it is empty';
  const control = CONTROL.exec(value);
  if (control !== null) {
    const code = (control[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    return `it contains the control character U+${code}`;
  }
  if (value.startsWith('/') || value.startsWith('\\') || /^[A-Za-z]:/u.test(value)) return 'it is an absolute path';
  const segments = value.split(/[/\\]/u);
  if (segments.some((segment) => segment === '')) return "it has an empty segment (a doubled, leading or trailing '/')";
  if (segments.includes('.')) return "it has a '.' segment";
  if (segments.includes('..')) return "it has a '..' segment";
  if (segments.some((segment) => segment.toLowerCase() === '.git')) return "it names git's own directory `.git` or a directory inside it";
  if ((segments[0] as string).toLowerCase() === '.planning') return "it names cairn's `.planning` directory or a directory inside it";
  return null;
}

/** Whether `value` holds a control character (checked before the path is resolved at all). */
export function hasControlCharacter(value: string): boolean {
  return CONTROL.test(value);
}

/** A flag's value without the trailing `/` shell completion adds (`/` itself is kept). */
export function trimTrailingSlashes(value: string): string {
  const trimmed = value.replace(/\/+$/u, '');
  return trimmed === '' ? value : trimmed;
}
