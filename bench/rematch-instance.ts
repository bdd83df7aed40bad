/**
 * Synthetic re-matching instances for bench/rematch.bench.ts.
 *
 * geo: patients and options are drawn from the same clustered map (towns of different sizes on a
 *   250 × 250 km square), but options follow the towns with their own noise, so some areas are
 *   short of seats and others have spare ones. Each patient's candidates are its K nearest
 *   options; an edge costs 100 per km (travel) plus risk weight × 100 per business day until the
 *   option's first session (0 to 10 days). Unmatched costs risk weight × 20,000 (as much as 200 km
 *   of travel). Risk weights: 1 for 70% of patients, 2 for 20%, 3 for 10%.
 * random: the same patients, options and penalties, but K options drawn uniformly at random for
 *   each patient, each at a uniform cost in 0..10,000: no geography to exploit.
 *
 * Capacities are 1..15 seats (mean 8) and are then adjusted, one seat at a time on random options,
 * until they add up to round(tightness × patients).
 */
import type { MatchingInstance } from '../src/modules/matching/solver-instance.domain.ts';

export type Shape = 'geo' | 'random';

export interface InstanceParameters {
  readonly patients: number;
  readonly candidates: number;
  readonly seed: number;
  readonly tightness: number;
  readonly shape: Shape;
}

/** mulberry32: a small seeded generator, so that a seed always gives the same instance. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const side = 250; // km

export function generateInstance(parameters: InstanceParameters): MatchingInstance {
  const { patients, seed, tightness, shape } = parameters;
  const random = randomSource(seed);
  const gaussian = () => {
    const u = 1 - random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const seats = Math.round(tightness * patients);
  const options = Math.max(1, Math.round(seats / 8));
  const candidates = Math.min(parameters.candidates, options);

  // Towns: centre, spread, and a weight for patients and a different one for options.
  const towns = Math.max(1, Math.round(patients / 1000));
  const town = Array.from({ length: towns }, () => ({
    x: 20 + random() * (side - 40),
    y: 20 + random() * (side - 40),
    spread: 2 + random() * 10,
    people: 0.2 + random() ** 2,
    options: 0,
  }));
  for (const t of town) t.options = t.people * (0.6 + 0.8 * random());
  const pick = (weight: (t: (typeof town)[number]) => number) => {
    const total = town.reduce((sum, t) => sum + weight(t), 0);
    let left = random() * total;
    for (const t of town) {
      left -= weight(t);
      if (left <= 0) return t;
    }
    return town[town.length - 1] ?? town[0];
  };
  const place = (weight: (t: (typeof town)[number]) => number, count: number) => {
    const xy = new Float64Array(2 * count);
    for (let k = 0; k < count; k++) {
      const t = pick(weight);
      xy[2 * k] = Math.min(side, Math.max(0, (t?.x ?? 0) + gaussian() * (t?.spread ?? 1)));
      xy[2 * k + 1] = Math.min(side, Math.max(0, (t?.y ?? 0) + gaussian() * (t?.spread ?? 1)));
    }
    return xy;
  };
  const patientXy = place((t) => t.people, patients);
  const optionXy = place((t) => t.options, options);
  const weight = new Float64Array(patients);
  for (let i = 0; i < patients; i++) {
    const r = random();
    weight[i] = r < 0.7 ? 1 : r < 0.9 ? 2 : 3;
  }
  const delay = new Float64Array(options);
  for (let o = 0; o < options; o++) delay[o] = Math.floor(random() * 11);

  const optionCapacity = new Int32Array(options);
  let total = 0;
  for (let o = 0; o < options; o++) {
    optionCapacity[o] = 1 + Math.floor(random() * 15);
    total += optionCapacity[o] ?? 0;
  }
  while (total !== seats) {
    const o = Math.floor(random() * options);
    const cap = optionCapacity[o] ?? 0;
    if (total < seats) {
      optionCapacity[o] = cap + 1;
      total++;
    } else if (cap > 0) {
      optionCapacity[o] = cap - 1;
      total--;
    }
  }

  const edgeStart = new Int32Array(patients + 1);
  const edgeOption = new Int32Array(patients * candidates);
  const edgeCost = new Float64Array(patients * candidates);
  const unmatchedCost = new Float64Array(patients);
  const nearest = shape === 'geo' ? nearestOptions(optionXy, candidates) : undefined;
  const chosen = new Int32Array(options).fill(-1);
  let e = 0;
  for (let i = 0; i < patients; i++) {
    const w = weight[i] ?? 1;
    unmatchedCost[i] = w * 20_000;
    const px = patientXy[2 * i] ?? 0;
    const py = patientXy[2 * i + 1] ?? 0;
    if (nearest) {
      for (const o of nearest(px, py)) {
        const km = Math.hypot(px - (optionXy[2 * o] ?? 0), py - (optionXy[2 * o + 1] ?? 0));
        edgeOption[e] = o;
        edgeCost[e++] = Math.round(100 * km) + w * 100 * (delay[o] ?? 0);
      }
    } else {
      for (let k = 0; k < candidates; k++) {
        let o = Math.floor(random() * options);
        while (chosen[o] === i) o = Math.floor(random() * options);
        chosen[o] = i;
        edgeOption[e] = o;
        edgeCost[e++] = Math.floor(random() * 10_001);
      }
    }
    edgeStart[i + 1] = e;
  }
  return { edgeStart, edgeOption, edgeCost, optionCapacity, unmatchedCost };
}

/** K nearest options by a uniform grid, searched ring by ring; nearest first. */
function nearestOptions(xy: Float64Array, k: number): (x: number, y: number) => number[] {
  const count = xy.length / 2;
  const cells = Math.max(1, Math.round(Math.sqrt(count / 4)));
  const size = side / cells;
  const cellOf = (v: number) => Math.min(cells - 1, Math.max(0, Math.floor(v / size)));
  const buckets: number[][] = Array.from({ length: cells * cells }, () => []);
  for (let o = 0; o < count; o++) {
    buckets[cellOf(xy[2 * o + 1] ?? 0) * cells + cellOf(xy[2 * o] ?? 0)]?.push(o);
  }
  return (x, y) => {
    const cx = cellOf(x);
    const cy = cellOf(y);
    const found: { o: number; d: number }[] = [];
    for (let ring = 0; ; ring++) {
      for (let gy = cy - ring; gy <= cy + ring; gy++) {
        for (let gx = cx - ring; gx <= cx + ring; gx++) {
          if (Math.max(Math.abs(gx - cx), Math.abs(gy - cy)) !== ring) continue;
          if (gx < 0 || gy < 0 || gx >= cells || gy >= cells) continue;
          for (const o of buckets[gy * cells + gx] ?? []) {
            found.push({ o, d: Math.hypot(x - (xy[2 * o] ?? 0), y - (xy[2 * o + 1] ?? 0)) });
          }
        }
      }
      // Every option outside the searched square is at least this far away.
      const reach = Math.min(
        x - (cx - ring) * size,
        (cx + ring + 1) * size - x,
        y - (cy - ring) * size,
        (cy + ring + 1) * size - y,
      );
      const covered = ring >= cells;
      if (found.length >= k || covered) {
        found.sort((a, b) => a.d - b.d || a.o - b.o);
        if (covered || (found[k - 1]?.d ?? Number.POSITIVE_INFINITY) <= reach) {
          return found.slice(0, k).map((entry) => entry.o);
        }
      }
    }
  };
}
