import { places, type PlaceCode } from './places.domain.ts';

export const scales = ['demo', 'region'] as const;
export type Scale = (typeof scales)[number];

/** How big a generated region is. Members, clinicians, groups, patients and providers are split over the areas by members. */
export interface ScaleParameters {
  areas: readonly PlaceCode[];
  /** Multiplies each place's members: the demo keeps the region's proportions at a small size. */
  memberFactor: number;
  clinicians: number;
  groups: number;
  /** Behavioral-health patients (DOMAIN.md: about 250,000 in a region of 4.8 million members). */
  patients: number;
  outsideProviders: number;
}

export const scaleParameters = {
  demo: {
    areas: ['WOODLAND_HILLS', 'PANORAMA_CITY', 'WEST_LA'],
    // 1,500 patients over three areas, at the region's 250,000-per-4.8-million ratio.
    memberFactor: 1 / 37.5,
    clinicians: 60,
    groups: 80,
    patients: 1_500,
    outsideProviders: 40,
  },
  region: {
    areas: places.map((place) => place.code),
    memberFactor: 1,
    clinicians: 2_400,
    groups: 3_000,
    patients: 250_000,
    outsideProviders: 1_500,
  },
} as const satisfies Record<Scale, ScaleParameters>;

/**
 * Splits `total` in proportion to `weights` into whole numbers that add up to `total` exactly
 * (largest remainder; ties go to the earlier entry).
 */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const shares = exact.map(Math.floor);
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of order) {
    if (left <= 0) break;
    shares[index] = (shares[index] ?? 0) + 1;
    left -= 1;
  }
  return shares;
}

/** Sessions are generated this many weeks either side of `now`. */
export const sessionWindowWeeks = 26;
