/** The `code` of a failed system call (`'ENOENT'`, `'EEXIST'`, …), or undefined when `error` carries none. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
