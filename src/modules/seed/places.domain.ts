import type { Rng } from './prng.domain.ts';

/**
 * The Southern California service areas of the synthetic region: real places with their real
 * centre coordinates. `members` are synthetic, sized so that the fourteen areas hold about
 * 4.8 million members (DOMAIN.md). Streets are real streets of each place; house numbers are drawn.
 */
export interface Place {
  code: string;
  name: string;
  /** What a clinic in the area is called after ("Bakersfield Medical Offices"). */
  clinicPrefix: string;
  lat: number;
  lon: number;
  members: number;
  /** Compass bearing (degrees) pointing inland, for areas on the coast: no homes in the sea. */
  inland?: number;
  /** For organization names of outside providers. */
  regionWord: string;
  streets: readonly (readonly [street: string, city: string, zip: string])[];
}

export const places = [
  {
    code: 'WOODLAND_HILLS',
    name: 'Woodland Hills',
    clinicPrefix: 'Woodland Hills',
    lat: 34.1683,
    lon: -118.6059,
    members: 380_000,
    regionWord: 'Valley',
    streets: [
      ['De Soto Ave', 'Woodland Hills', '91367'],
      ['Ventura Blvd', 'Woodland Hills', '91364'],
      ['Canoga Ave', 'Woodland Hills', '91367'],
      ['Topanga Canyon Blvd', 'Woodland Hills', '91367'],
      ['Oxnard St', 'Woodland Hills', '91367'],
    ],
  },
  {
    code: 'PANORAMA_CITY',
    name: 'Panorama City',
    clinicPrefix: 'Panorama City',
    lat: 34.2247,
    lon: -118.4489,
    members: 400_000,
    regionWord: 'North Valley',
    streets: [
      ['Van Nuys Blvd', 'Panorama City', '91402'],
      ['Roscoe Blvd', 'Panorama City', '91402'],
      ['Woodman Ave', 'Panorama City', '91402'],
      ['Nordhoff St', 'North Hills', '91343'],
    ],
  },
  {
    code: 'WEST_LA',
    name: 'West Los Angeles',
    clinicPrefix: 'West Los Angeles',
    lat: 34.0369,
    lon: -118.4432,
    members: 300_000,
    inland: 60,
    regionWord: 'Westside',
    streets: [
      ['S Sepulveda Blvd', 'Los Angeles', '90025'],
      ['Santa Monica Blvd', 'Los Angeles', '90025'],
      ['W Pico Blvd', 'Los Angeles', '90064'],
      ['Venice Blvd', 'Los Angeles', '90034'],
      ['W Olympic Blvd', 'Los Angeles', '90064'],
    ],
  },
  {
    code: 'LOS_ANGELES',
    name: 'Los Angeles',
    clinicPrefix: 'Los Angeles',
    lat: 34.0983,
    lon: -118.293,
    members: 420_000,
    regionWord: 'Central City',
    streets: [
      ['Sunset Blvd', 'Los Angeles', '90027'],
      ['N Vermont Ave', 'Los Angeles', '90027'],
      ['Hollywood Blvd', 'Los Angeles', '90028'],
      ['N Western Ave', 'Los Angeles', '90004'],
    ],
  },
  {
    code: 'DOWNEY',
    name: 'Downey',
    clinicPrefix: 'Downey',
    lat: 33.9401,
    lon: -118.1332,
    members: 380_000,
    regionWord: 'Gateway',
    streets: [
      ['Firestone Blvd', 'Downey', '90241'],
      ['Lakewood Blvd', 'Downey', '90242'],
      ['Paramount Blvd', 'Downey', '90241'],
      ['Imperial Hwy', 'Downey', '90242'],
    ],
  },
  {
    code: 'SOUTH_BAY',
    name: 'South Bay',
    clinicPrefix: 'South Bay',
    lat: 33.8358,
    lon: -118.3406,
    members: 330_000,
    inland: 45,
    regionWord: 'Harbor',
    streets: [
      ['Hawthorne Blvd', 'Torrance', '90503'],
      ['Pacific Coast Hwy', 'Torrance', '90505'],
      ['Torrance Blvd', 'Torrance', '90503'],
      ['W Sepulveda Blvd', 'Harbor City', '90710'],
    ],
  },
  {
    code: 'ORANGE_COUNTY',
    name: 'Orange County',
    clinicPrefix: 'Orange County',
    lat: 33.7455,
    lon: -117.8677,
    members: 520_000,
    inland: 45,
    regionWord: 'Coastal',
    streets: [
      ['N Harbor Blvd', 'Anaheim', '92801'],
      ['E Chapman Ave', 'Orange', '92866'],
      ['Sand Canyon Ave', 'Irvine', '92618'],
      ['N Main St', 'Santa Ana', '92701'],
      ['Beach Blvd', 'Westminster', '92683'],
    ],
  },
  {
    code: 'RIVERSIDE',
    name: 'Riverside',
    clinicPrefix: 'Riverside',
    lat: 33.9533,
    lon: -117.3962,
    members: 430_000,
    regionWord: 'Inland',
    streets: [
      ['Magnolia Ave', 'Riverside', '92505'],
      ['Arlington Ave', 'Riverside', '92506'],
      ['University Ave', 'Riverside', '92507'],
      ['Van Buren Blvd', 'Riverside', '92503'],
    ],
  },
  {
    code: 'FONTANA',
    name: 'Fontana',
    clinicPrefix: 'Fontana',
    lat: 34.0922,
    lon: -117.435,
    members: 470_000,
    regionWord: 'Foothill',
    streets: [
      ['Sierra Ave', 'Fontana', '92335'],
      ['Foothill Blvd', 'Fontana', '92335'],
      ['Baseline Ave', 'Fontana', '92336'],
      ['Valley Blvd', 'Fontana', '92335'],
    ],
  },
  {
    code: 'SAN_DIEGO',
    name: 'San Diego',
    clinicPrefix: 'San Diego',
    lat: 32.8328,
    lon: -117.1467,
    members: 510_000,
    inland: 80,
    regionWord: 'Pacific',
    streets: [
      ['Clairemont Mesa Blvd', 'San Diego', '92111'],
      ['Convoy St', 'San Diego', '92111'],
      ['El Cajon Blvd', 'San Diego', '92115'],
      ['Genesee Ave', 'San Diego', '92117'],
      ['Balboa Ave', 'San Diego', '92123'],
    ],
  },
  {
    code: 'KERN_COUNTY',
    name: 'Kern County',
    clinicPrefix: 'Bakersfield',
    lat: 35.3733,
    lon: -119.0187,
    members: 150_000,
    regionWord: 'Central Valley',
    streets: [
      ['Truxtun Ave', 'Bakersfield', '93301'],
      ['Ming Ave', 'Bakersfield', '93309'],
      ['Stockdale Hwy', 'Bakersfield', '93309'],
      ['Coffee Rd', 'Bakersfield', '93308'],
    ],
  },
  {
    code: 'VENTURA',
    name: 'Ventura',
    clinicPrefix: 'Ventura',
    lat: 34.2746,
    lon: -119.229,
    members: 110_000,
    inland: 30,
    regionWord: 'Channel Coast',
    streets: [
      ['Telephone Rd', 'Ventura', '93003'],
      ['E Main St', 'Ventura', '93001'],
      ['Victoria Ave', 'Ventura', '93003'],
    ],
  },
  {
    code: 'BALDWIN_PARK',
    name: 'Baldwin Park',
    clinicPrefix: 'Baldwin Park',
    lat: 34.0853,
    lon: -117.9609,
    members: 270_000,
    regionWord: 'San Gabriel',
    streets: [
      ['Baldwin Park Blvd', 'Baldwin Park', '91706'],
      ['Ramona Blvd', 'Baldwin Park', '91706'],
      ['Francisquito Ave', 'Baldwin Park', '91706'],
      ['Garvey Ave', 'West Covina', '91790'],
    ],
  },
  {
    code: 'ANTELOPE_VALLEY',
    name: 'Antelope Valley',
    clinicPrefix: 'Antelope Valley',
    lat: 34.6868,
    lon: -118.1542,
    members: 130_000,
    regionWord: 'High Desert',
    streets: [
      ['W Avenue J', 'Lancaster', '93534'],
      ['10th St W', 'Lancaster', '93534'],
      ['Palmdale Blvd', 'Palmdale', '93550'],
      ['Rancho Vista Blvd', 'Palmdale', '93551'],
    ],
  },
] as const satisfies readonly Place[];

export type PlaceCode = (typeof places)[number]['code'];

const kmPerDegree = 111.32;

/**
 * A point uniformly distributed within `radiusKm` of the centre (and at least `minKm` from it),
 * kept on the inland side for coastal places.
 */
export function pointNear(
  rng: Rng,
  centre: { lat: number; lon: number; inland?: number },
  radiusKm: number,
  minKm = 0,
): { lat: number; lon: number } {
  const distance = Math.sqrt(rng.real((minKm / radiusKm) ** 2, 1)) * radiusKm;
  let bearing = rng.real(0, 360);
  if (centre.inland !== undefined) {
    // Fold the seaward half of the disc onto the inland half.
    const off = ((bearing - centre.inland + 540) % 360) - 180;
    if (Math.abs(off) > 90) bearing = centre.inland + (off > 0 ? 180 - off : -180 - off);
  }
  const radians = (bearing * Math.PI) / 180;
  const north = distance * Math.cos(radians);
  const east = distance * Math.sin(radians);
  const lat = centre.lat + north / kmPerDegree;
  const lon = centre.lon + east / (kmPerDegree * Math.cos((centre.lat * Math.PI) / 180));
  return { lat: Math.round(lat * 1e6) / 1e6, lon: Math.round(lon * 1e6) / 1e6 };
}

/** Great-circle distance in kilometres (haversine): for tests and sanity checks. */
export function distanceKm(
  a: { lat: number; lon: number },
  b: { lat: number; lon: number },
): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}
