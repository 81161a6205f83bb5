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
