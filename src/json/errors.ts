/**
 * A document that is not valid JSON, reported the way CPython's
 * `json.JSONDecodeError` reports it: `msg` is the bare reason, `pos` a code
 * point index into the document (a Python `str` index), `lineno` and `colno`
 * 1-based, and `message` is `"<msg>: line <l> column <c> (char <pos>)"`.
 */
export class JsonSyntaxError extends Error {
  readonly msg: string;
  readonly pos: number;
  readonly lineno: number;
  readonly colno: number;

  constructor(msg: string, pos: number, lineno: number, colno: number, message?: string) {
    super(message ?? `${msg}: line ${lineno} column ${colno} (char ${pos})`);
    this.name = 'JsonSyntaxError';
    this.msg = msg;
    this.pos = pos;
    this.lineno = lineno;
    this.colno = colno;
  }

  /** The error for `msg` at UTF-16 index `index` of `doc`, with Python's positions. */
  static at(msg: string, doc: string, index: number): JsonSyntaxError {
    const { pos, lineno, colno } = pythonPosition(doc, index);
    return new JsonSyntaxError(msg, pos, lineno, colno);
  }
}

/**
 * Nesting deeper than the parser allows. Mirrors the text of the
 * `RecursionError` CPython raises ("maximum recursion depth exceeded while
 * decoding a JSON array from a unicode string"); the position fields are those
 * of the opening bracket that went one level too deep.
 */
export class JsonNestingError extends JsonSyntaxError {
  constructor(container: 'array' | 'object', doc: string, index: number) {
    const msg = `maximum recursion depth exceeded while decoding a JSON ${container} from a unicode string`;
    const { pos, lineno, colno } = pythonPosition(doc, index);
    super(msg, pos, lineno, colno, msg);
    this.name = 'JsonNestingError';
  }
}

/**
 * An integer token longer than CPython's default limit of 4300 digits; the
 * message is that of the `ValueError` Python raises. Position fields are
 * those of the token.
 */
export class JsonIntegerLimitError extends JsonSyntaxError {
  constructor(digits: number, doc: string, index: number) {
    const msg =
      `Exceeds the limit (${MAX_INT_DIGITS} digits) for integer string conversion: ` +
      `value has ${digits} digits; use sys.set_int_max_str_digits() to increase the limit`;
    const { pos, lineno, colno } = pythonPosition(doc, index);
    super(msg, pos, lineno, colno, msg);
    this.name = 'JsonIntegerLimitError';
  }
}

/** CPython's default `sys.get_int_max_str_digits()`. */
export const MAX_INT_DIGITS = 4300;

/**
 * Python's view of UTF-16 index `index` in `doc`: the code point index, the
 * line (1 + newlines before it) and the column (distance from the last newline
 * before it, or index + 1 on the first line).
 */
export function pythonPosition(doc: string, index: number): { pos: number; lineno: number; colno: number } {
  let pairs = 0;
  let newlines = 0;
  let lastNewline = -1;
  let pairsBeforeLastNewline = 0;
  for (let i = 0; i < index; i++) {
    const unit = doc.charCodeAt(i);
    if (unit === 0x0a) {
      newlines++;
      lastNewline = i;
      pairsBeforeLastNewline = pairs;
    } else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < index) {
      const next = doc.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        pairs++;
        i++;
      }
    }
  }
  const pos = index - pairs;
  const colno = lastNewline < 0 ? pos + 1 : pos - (lastNewline - pairsBeforeLastNewline);
  return { pos, lineno: newlines + 1, colno };
}
