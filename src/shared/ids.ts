import { randomBytes } from 'node:crypto';

/** The last millisecond and counter handed out, so ids made by this process only ever grow. */
let last = { ms: 0, counter: 0 };

/**
 * A UUID version 7: time-ordered, so that ordering by id is creation order and cursors are stable.
 * Ids this process makes by default grow strictly, even within one millisecond (RFC 9562, method
 * 1: a 12-bit counter in rand_a, started at a random value in its lower half). `at` and `random`
 * may be given for deterministic ids (the synthetic region generator); those are not counted.
 */
export function uuidv7(at?: number, random?: Uint8Array): string {
  const bytes = new Uint8Array(16);
  let ms: number;
  if (at === undefined && random === undefined) {
    const entropy = randomBytes(10);
    ms = Math.max(Date.now(), last.ms);
    let counter = ms === last.ms ? last.counter + 1 : ((entropy[0] ?? 0) << 3) & 0x7ff;
    if (counter > 0xfff) {
      ms += 1;
      counter = 0;
    }
    last = { ms, counter };
    bytes.set(entropy, 6);
    bytes[6] = counter >> 8;
    bytes[7] = counter & 0xff;
  } else {
    ms = at ?? Date.now();
    bytes.set((random ?? randomBytes(10)).subarray(0, 10), 6);
  }
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
