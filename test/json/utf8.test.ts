import { describe, expect, it } from 'vitest';
import { Utf8DecodeError, decodeUtf8 } from '../../src/json/index.js';

/** Hex bytes and Python 3.11's str(UnicodeDecodeError) for bytes.decode("utf-8"). */
const INVALID: Array<[string, string]> = [
  ['ff', "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"],
  ['6180', "'utf-8' codec can't decode byte 0x80 in position 1: invalid start byte"],
  ['c080', "'utf-8' codec can't decode byte 0xc0 in position 0: invalid start byte"],
  ['c1bf', "'utf-8' codec can't decode byte 0xc1 in position 0: invalid start byte"],
  ['e282', "'utf-8' codec can't decode bytes in position 0-1: unexpected end of data"],
  ['e228a1', "'utf-8' codec can't decode byte 0xe2 in position 0: invalid continuation byte"],
  ['f09f98', "'utf-8' codec can't decode bytes in position 0-2: unexpected end of data"],
  ['f09f9828', "'utf-8' codec can't decode bytes in position 0-2: invalid continuation byte"],
  ['eda080', "'utf-8' codec can't decode byte 0xed in position 0: invalid continuation byte"],
  ['f4908080', "'utf-8' codec can't decode byte 0xf4 in position 0: invalid continuation byte"],
  ['e08080', "'utf-8' codec can't decode byte 0xe0 in position 0: invalid continuation byte"],
  ['f09f', "'utf-8' codec can't decode bytes in position 0-1: unexpected end of data"],
  ['f028', "'utf-8' codec can't decode byte 0xf0 in position 0: invalid continuation byte"],
  ['c3', "'utf-8' codec can't decode byte 0xc3 in position 0: unexpected end of data"],
  ['6162f09f98', "'utf-8' codec can't decode bytes in position 2-4: unexpected end of data"],
  ['f5808080', "'utf-8' codec can't decode byte 0xf5 in position 0: invalid start byte"],
  ['e18041', "'utf-8' codec can't decode bytes in position 0-1: invalid continuation byte"],
  ['7b2261223a2022636166e9227d', "'utf-8' codec can't decode byte 0xe9 in position 10: invalid continuation byte"],
  ['f888808080', "'utf-8' codec can't decode byte 0xf8 in position 0: invalid start byte"],
  ['efbbbfff', "'utf-8' codec can't decode byte 0xff in position 3: invalid start byte"],
  ['6f6b20e282ac20f09f988020e282', "'utf-8' codec can't decode bytes in position 12-13: unexpected end of data"],
];

function decodeError(hex: string): Utf8DecodeError {
  try {
    decodeUtf8(Buffer.from(hex, 'hex'));
  } catch (error) {
    if (error instanceof Utf8DecodeError) return error;
    throw error;
  }
  throw new Error(`decoded without error: ${hex}`);
}

describe('decodeUtf8', () => {
  it.each(INVALID)('%s fails like Python', (hex, message) => {
    expect(decodeError(hex).message).toBe(message);
  });

  it('reports the byte range and reason as fields', () => {
    const error = decodeError('6162f09f9828');
    expect([error.start, error.end, error.reason]).toEqual([2, 5, 'invalid continuation byte']);
    expect(error.name).toBe('Utf8DecodeError');
  });

  it('decodes valid text of every length and keeps a BOM', () => {
    expect(decodeUtf8(Buffer.from('ok € 😀 é \u0000', 'utf8'))).toBe('ok € 😀 é \u0000');
    expect(decodeUtf8(Buffer.from('efbbbf7b7d', 'hex'))).toBe('\ufeff{}');
    expect(decodeUtf8(new Uint8Array())).toBe('');
    expect(decodeUtf8(Buffer.from('f48fbfbf', 'hex'))).toBe('\u{10ffff}');
  });
});
