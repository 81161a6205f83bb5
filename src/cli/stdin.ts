import { fstatSync } from 'node:fs';

/**
 * All of standard input, for a file argument given as `-`. More than
 * `maxBytes` is refused with the error `tooLarge` makes, as soon as it
 * arrives, so an endless pipe cannot fill memory.
 */
export async function readStdin(maxBytes: number, tooLarge: () => Error, input: AsyncIterable<unknown> = process.stdin): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of input) {
    const bytes = Buffer.from(chunk as Buffer);
    total += bytes.length;
    if (total > maxBytes) throw tooLarge();
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, total);
}

/**
 * Whether standard input carries data someone sent on purpose: a pipe, a
 * socket or a redirected file. A terminal, `/dev/null` or a closed stdin
 * does not, so a command that reads stdin only when it is given never
 * waits for a person who did not mean to type.
 */
export function stdinIsGiven(fd = 0): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isFIFO() || stat.isSocket() || stat.isFile();
  } catch {
    return false;
  }
}
