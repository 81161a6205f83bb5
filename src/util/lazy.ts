/**
 * `make()`, run on the first call and remembered: for values such as zod
 * schemas that cost start-up time to build and that many runs never use.
 */
export function lazily<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
