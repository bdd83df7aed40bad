import { uuidv7 } from '../../shared/ids.ts';

/*
 * A small seeded pseudo-random generator (sfc32, Chris Doty-Humphrey's "small fast chaotic"
 * generator: 128 bits of state, passes PractRand to many terabytes) and the helpers the region
 * generator draws with. Not for secrets: only for reproducible synthetic data.
 */

/** One 32-bit mixing step (the finaliser of MurmurHash3): spreads every input bit over the output. */
function mix32(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** FNV-1a over a label's UTF-16 code units: names a stream. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A weighted table: each entry is a value and its relative weight. */
export type Weighted<T> = readonly (readonly [T, number])[];

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, salt = 0) {
    this.a = mix32(seed ^ 0x9e3779b9);
    this.b = mix32(salt ^ 0x243f6a88);
    this.c = mix32((seed + salt) ^ 0xb7e15162);
    this.d = 1;
    // Warm up: the first outputs of a freshly seeded sfc32 are still correlated with the seed.
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** The next 32 random bits. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4_294_967_296;
  }

  /** Uniform in [min, max). */
  real(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick() from an empty list');
    return item;
  }

  weighted<T>(table: Weighted<T>): T {
    let total = 0;
    for (const [, weight] of table) total += weight;
    let target = this.next() * total;
    for (const [value, weight] of table) {
      target -= weight;
      if (target < 0) return value;
    }
    const last = table[table.length - 1];
    if (!last) throw new Error('weighted() from an empty table');
    return last[0];
  }

  /** Up to `count` distinct values drawn from a weighted table, in draw order. */
  distinct<T>(table: Weighted<T>, count: number): T[] {
    const remaining = [...table];
    const chosen: T[] = [];
    while (chosen.length < count && remaining.length > 0) {
      const value = this.weighted(remaining);
      chosen.push(value);
      remaining.splice(
        remaining.findIndex(([candidate]) => candidate === value),
        1,
      );
    }
    return chosen;
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const swap = items[i] as T;
      items[i] = items[j] as T;
      items[j] = swap;
    }
    return items;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 4) {
      let word = this.uint32();
      for (let k = i; k < Math.min(i + 4, length); k++) {
        out[k] = word & 0xff;
        word >>>= 8;
      }
    }
    return out;
  }
}

/**
 * An independent stream for one purpose and entity: `streamOf(seed, 'patient', 42)`. Each table
 * and each patient draws from its own stream, so changing how one is generated leaves the others
 * exactly as they were, and a stream can be replayed to count rows before producing them.
 */
export function streamOf(seed: number, label: string, ...indices: number[]): Rng {
  let salt = hashLabel(label);
  for (const index of indices) salt = mix32(salt ^ mix32(index + 0x632be5ab));
  return new Rng(seed, salt);
}

/**
 * Seeded ids: UUID v7 with a timestamp of `baseMs` plus a sequence number, and random bits from
 * the seeded stream. Distinct timestamps make every id unique by construction; generation order
 * is fixed, so the same seed gives the same ids.
 */
export function createIdSource(
  rng: Rng,
  baseMs: number,
): { next(): string; readonly issued: number } {
  let issued = 0;
  return {
    next() {
      const id = uuidv7(baseMs + issued, rng.bytes(10));
      issued += 1;
      return id;
    },
    get issued() {
      return issued;
    },
  };
}
