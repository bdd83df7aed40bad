import { describe, expect, it } from 'vitest';
import { uuidPattern, uuidv7 } from './ids.ts';

describe('uuidv7', () => {
  it('grows strictly within one process, even many to a millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidv7());
    for (let i = 1; i < ids.length; i++) expect((ids[i] ?? '') > (ids[i - 1] ?? '')).toBe(true);
    for (const id of ids.slice(0, 100)) {
      expect(id).toMatch(uuidPattern);
      expect(id[14]).toBe('7');
      expect('89ab').toContain(id[19]);
    }
  });

  it('is deterministic when given its time and random bytes', () => {
    const random = new Uint8Array(10).fill(0xab);
    expect(uuidv7(Date.UTC(2024, 0, 1), random)).toBe(uuidv7(Date.UTC(2024, 0, 1), random));
    expect(uuidv7(Date.UTC(2024, 0, 1), random)).toBe('018cc251-f400-7bab-abab-abababababab');
  });
});
