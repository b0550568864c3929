/**
 * Splits a byte stream into lines without holding more than one line: an
 * import of any size needs memory for a line, not for the file. A line longer
 * than maxLine is reported as too long and skipped up to its newline.
 */
export type NdjsonLine = { line: number; text: string } | { line: number; tooLong: true };

export async function* ndjsonLines(chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, maxLine: number): AsyncGenerator<NdjsonLine> {
  let parts: Buffer[] = [];
  let size = 0;
  let overflow = false;
  let line = 0;
  const finish = (): NdjsonLine | undefined => {
    line += 1;
    const result: NdjsonLine = overflow ? { line, tooLong: true } : { line, text: Buffer.concat(parts, size).toString('utf8') };
    parts = [];
    size = 0;
    overflow = false;
    return result;
  };
  for await (const piece of chunks) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl !== -1; nl = chunk.indexOf(10, from)) {
      take(chunk.subarray(from, nl));
      yield finish()!;
      from = nl + 1;
    }
    take(chunk.subarray(from));
  }
  if (size > 0 || overflow) yield finish()!;

  function take(bytes: Buffer): void {
    if (overflow || bytes.length === 0) return;
    if (size + bytes.length > maxLine) {
      overflow = true;
      parts = [];
      size = 0;
      return;
    }
    parts.push(bytes);
    size += bytes.length;
  }
}
