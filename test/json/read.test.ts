import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_JSON_BYTES,
  JsonFileReadError,
  JsonFileTooLargeError,
  JsonSyntaxError,
  Utf8DecodeError,
  isJsonLoadFailure,
  isJsonParseFailure,
  readJsonFile,
  readTextFile,
  type JsonObject,
} from '../../src/json/index.js';
import { tempDir } from '../support/tmp.js';

let dir: string;

beforeEach(() => {
  dir = tempDir('cairn-json-');
});

async function failure(path: string, options?: { maxBytes?: number }): Promise<Error> {
  try {
    await readJsonFile(path, options);
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error(`read without error: ${path}`);
}

describe('readJsonFile', () => {
  it('reads a document', async () => {
    const path = join(dir, 'manifest.json');
    await writeFile(path, '{\n  "name": "caf\\u00e9",\n  "phases": [],\n  "n": 1.0\n}\n');
    const value = (await readJsonFile(path)) as JsonObject;
    expect(value.name).toBe('café');
    expect(value.phases).toEqual([]);
    expect(value.n).toMatchObject({ value: 1, text: '1.0' });
  });

  // Python reads with read_text(), whose universal newlines turn \r\n and \r into \n
  // before json.loads sees the text; these positions are the ones Python reports.
  it('reports positions after universal-newline translation, as Python does', async () => {
    const crlf = join(dir, 'crlf.json');
    await writeFile(crlf, '{\r\n  "a": 1,\r\n}\r\n');
    expect((await failure(crlf)).message).toBe(
      'Expecting property name enclosed in double quotes: line 3 column 1 (char 12)',
    );
    const cr = join(dir, 'cr.json');
    await writeFile(cr, '{\r  "a": \u0001\r}');
    expect((await failure(cr)).message).toBe('Expecting value: line 2 column 8 (char 9)');
  });

  it('refuses a BOM as a parse failure', async () => {
    const path = join(dir, 'bom.json');
    await writeFile(path, Buffer.from('efbbbf7b7d', 'hex'));
    const error = await failure(path);
    expect(error).toBeInstanceOf(JsonSyntaxError);
    expect(error.message).toBe('Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)');
    expect(isJsonParseFailure(error)).toBe(true);
    expect(isJsonLoadFailure(error)).toBe(false);
  });

  it('reports bad UTF-8 as a load failure with the byte offset', async () => {
    const path = join(dir, 'latin1.json');
    await writeFile(path, Buffer.from('{"a": "caf\xe9"}', 'latin1'));
    const error = await failure(path);
    expect(error).toBeInstanceOf(Utf8DecodeError);
    expect(error.message).toBe("'utf-8' codec can't decode byte 0xe9 in position 10: invalid continuation byte");
    expect(isJsonLoadFailure(error)).toBe(true);
    expect(isJsonParseFailure(error)).toBe(false);
  });

  it('reports a missing file and a directory with Python\'s OSError text', async () => {
    const missing = join(dir, 'missing.json');
    const error = await failure(missing);
    expect(error).toBeInstanceOf(JsonFileReadError);
    expect(error.message).toBe(`[Errno 2] No such file or directory: '${missing}'`);
    expect((error as JsonFileReadError).code).toBe('ENOENT');
    expect(isJsonLoadFailure(error)).toBe(true);

    const directory = await failure(dir);
    expect(directory.message).toBe(`[Errno 21] Is a directory: '${dir}'`);
    expect(isJsonLoadFailure(directory)).toBe(true);
  });

  it('refuses a 50 MB file by its size without parsing it', async () => {
    const path = join(dir, 'huge.json');
    const handle = await open(path, 'w');
    await handle.truncate(50 * 1024 * 1024); // sparse: no 50 MB written to disk
    await handle.close();
    const error = await failure(path);
    expect(error).toBeInstanceOf(JsonFileTooLargeError);
    expect(error.message).toBe('file is 52428800 bytes; cairn reads JSON documents of at most 33554432 bytes');
    expect(DEFAULT_MAX_JSON_BYTES).toBe(33554432);
    expect(isJsonLoadFailure(error)).toBe(true);
  });

  it('honours a smaller maxBytes and accepts a file of exactly maxBytes', async () => {
    const path = join(dir, 'small.json');
    await writeFile(path, '[1, 2, 3]\n');
    expect((await failure(path, { maxBytes: 9 })).message).toBe(
      'file is 10 bytes; cairn reads JSON documents of at most 9 bytes',
    );
    expect(await readJsonFile(path, { maxBytes: 10 })).toEqual([1, 2, 3]);
  });

  it('reads a 20 MB document', async () => {
    const path = join(dir, 'big.json');
    const item = '{"id": 7, "text": "caf\u00e9 \\ud83d\\ude00 \\n", "f": 0.5}';
    const count = Math.ceil(20_000_000 / (item.length + 4));
    await writeFile(path, '[\n  ' + Array(count).fill(item).join(',\n  ') + '\n]\n');
    const value = (await readJsonFile(path)) as JsonObject[];
    expect(value.length).toBe(count);
    expect(value[count - 1]?.text).toBe('café 😀 \n');
  });
});

describe('readTextFile', () => {
  it('decodes strictly and translates newlines like Python text mode', async () => {
    const path = join(dir, 'doc.md');
    await writeFile(path, 'a\r\nb\rc\n\r\n😀');
    expect(await readTextFile(path)).toBe('a\nb\nc\n\n😀');
  });
});
