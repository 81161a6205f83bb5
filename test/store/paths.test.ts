import { describe, expect, it } from 'vitest';
import { STORE_FILE_NAME, storePathFor } from '../../src/store/index.js';

describe('storePathFor', () => {
  it('puts the store in the repository .planning directory', () => {
    expect(STORE_FILE_NAME).toBe('cairn.db');
    expect(storePathFor('/work/repo')).toBe('/work/repo/.planning/cairn.db');
    expect(storePathFor('/work/repo/')).toBe('/work/repo/.planning/cairn.db');
    expect(storePathFor('/work/repo/sub/..')).toBe('/work/repo/.planning/cairn.db');
  });
});
