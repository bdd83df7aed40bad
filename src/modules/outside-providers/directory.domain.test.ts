import { describe, expect, it } from 'vitest';
import { readDirectoryCsv, writeDirectoryCsv } from './directory-csv.domain.ts';
import { readDirectoryHsds } from './directory-hsds.domain.ts';
import { planImport, type DirectoryEntry } from './directory.domain.ts';
import type { OutsideProvider } from './outside-providers.domain.ts';

function provider(overrides: Partial<OutsideProvider> = {}): OutsideProvider {
  return {
    id: 'p1',
    name: 'Dr. Okafor',
    organization: 'Valley',
    npi: '1000000001',
    specialties: ['ptsd'],
    languages: ['en', 'es'],
    certifications: [],
    modality: 'both',
    lat: 34,
    lon: -118,
    accommodations: [],
    weeklyCapacity: 3,
    accepting: true,
    capacityConfirmedAt: null,
    version: 4,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...overrides,
  };
}

const entry = (row: number, fields: Partial<DirectoryEntry['fields']>): DirectoryEntry => ({
  row,
  fields: {
    name: 'Dr. Okafor',
    organization: 'Valley',
    languages: ['en'],
    modality: 'both',
    lat: 34,
    lon: -118,
    weeklyCapacity: 3,
    ...fields,
  },
});

describe('planImport', () => {
  it('updates the provider with the same NPI, and only the fields that differ', () => {
    const plan = planImport(
      [provider()],
      [entry(2, { npi: '1000000001', name: 'Dr. R. Okafor', languages: ['es', 'en'] })],
    );
    expect(plan.updates).toEqual([
      { row: 2, id: 'p1', version: 4, patch: { name: 'Dr. R. Okafor' } },
    ]);
    expect(plan).toMatchObject({ inserts: [], unchanged: 0, rejected: [] });
  });

  it('matches by name and organization when the entry has no NPI, and never clears an NPI', () => {
    const plan = planImport([provider()], [entry(2, { languages: ['es', 'en'] })]);
    expect(plan).toMatchObject({ updates: [], inserts: [], unchanged: 1 });
  });

  it('gives an NPI to the one provider of that name and organization who has none', () => {
    const plan = planImport(
      [provider({ npi: null })],
      [entry(2, { npi: '1000000002', languages: ['en', 'es'] })],
    );
    expect(plan.updates).toEqual([{ row: 2, id: 'p1', version: 4, patch: { npi: '1000000002' } }]);
  });

  it('adds a namesake with another NPI as a new provider, with the creation defaults', () => {
    const plan = planImport([provider()], [entry(2, { npi: '1000000002' })]);
    expect(plan.updates).toEqual([]);
    expect(plan.inserts).toEqual([
      {
        row: 2,
        provider: {
          name: 'Dr. Okafor',
          organization: 'Valley',
          npi: '1000000002',
          specialties: [],
          languages: ['en'],
          certifications: [],
          modality: 'both',
          lat: 34,
          lon: -118,
          accommodations: [],
          weeklyCapacity: 3,
          accepting: true,
          capacityConfirmedAt: null,
        },
      },
    ]);
  });

  it.each([
    {
      case: 'the same NPI twice',
      existing: [],
      entries: [entry(2, { npi: '1000000009' }), entry(3, { npi: '1000000009' })],
      rejected: [{ row: 3, problems: ['npi 1000000009 is also given in row 2'] }],
    },
    {
      case: 'the same name and organization twice without NPIs',
      existing: [],
      entries: [entry(2, {}), entry(3, {})],
      rejected: [
        {
          row: 3,
          problems: [
            'row 2 has the same name and organization and neither has an NPI to tell them apart',
          ],
        },
      ],
    },
    {
      case: 'a name shared by two providers',
      existing: [provider(), provider({ id: 'p2', npi: '1000000002' })],
      entries: [entry(7, {})],
      rejected: [
        {
          row: 7,
          problems: [
            '2 providers are named "Dr. Okafor" at this organization; give the NPI to say which',
          ],
        },
      ],
    },
    {
      case: 'two entries for one provider, by NPI and by name',
      existing: [provider()],
      entries: [entry(2, { npi: '1000000001' }), entry(3, {})],
      rejected: [{ row: 3, problems: ['row 2 describes the same provider'] }],
    },
    {
      case: 'a new provider from a file without the columns a new one needs',
      existing: [],
      entries: [{ row: 2, fields: { name: 'New', languages: ['en'] } }],
      rejected: [
        {
          row: 2,
          problems: [
            'a new provider needs modality, lat, lon, weeklyCapacity, which the file does not give',
          ],
        },
      ],
    },
  ])('rejects $case', ({ existing, entries, rejected }) => {
    expect(planImport(existing, entries).rejected).toEqual(rejected);
  });
});

describe('readDirectoryCsv', () => {
  const header = 'name,languages,modality,lat,lon,weekly_capacity';

  it('leaves fields of absent columns unset, so an update leaves them alone', () => {
    const { entries } = readDirectoryCsv(`${header}\nA,en;es,virtual,1.5,-2,4\n`);
    expect(entries).toEqual([
      {
        row: 2,
        fields: {
          name: 'A',
          languages: ['en', 'es'],
          modality: 'virtual',
          lat: 1.5,
          lon: -2,
          weeklyCapacity: 4,
        },
      },
    ]);
  });

  it('reads a byte-order mark, CRLF lines, quoted commas and header case', () => {
    const text = `\uFEFFNAME,Languages,modality,lat,lon,weekly_capacity,organization\r\n"Doe, Jane",EN,both,1,2,0,""\r\n`;
    expect(readDirectoryCsv(text).entries[0]?.fields).toMatchObject({
      name: 'Doe, Jane',
      languages: ['en'],
      organization: null,
    });
  });

  it('rejects an empty number instead of reading it as zero', () => {
    expect(readDirectoryCsv(`${header}\nA,en,virtual,1,2,\n`).rejected).toEqual([
      { row: 2, problems: ['weekly capacity must be a whole number from 0 to 1000'] },
    ]);
  });

  it.each(['=HYPERLINK("http://x")', '+1', '-x', '@SUM(A1)', "'quoted", "'=both"])(
    'writes %s so that no spreadsheet runs it, and reads it back the same',
    (name) => {
      const csv = writeDirectoryCsv([provider({ name, organization: name })]);
      const cell = csv.split('\n')[1] ?? '';
      expect(cell.replace(/^"/, '')).toMatch(/^'/);
      expect(readDirectoryCsv(csv).entries[0]?.fields).toMatchObject({ name, organization: name });
    },
  );

  it('writes what it reads back', () => {
    const p = provider({
      name: 'Quote " and, comma',
      organization: null,
      npi: null,
      capacityConfirmedAt: new Date('2025-03-01T17:15:30.250Z'),
    });
    const [read] = readDirectoryCsv(writeDirectoryCsv([p])).entries;
    expect(read?.fields).toEqual({
      name: p.name,
      organization: null,
      specialties: p.specialties,
      languages: p.languages,
      certifications: [],
      modality: p.modality,
      lat: p.lat,
      lon: p.lon,
      accommodations: [],
      weeklyCapacity: p.weeklyCapacity,
      accepting: true,
      capacityConfirmedAt: p.capacityConfirmedAt,
    });
  });
});

describe('readDirectoryHsds', () => {
  const service = (types: string[], status = 'active') =>
    JSON.stringify({
      id: 's1',
      name: 'S',
      status,
      languages: [{ id: 'l', code: 'en' }],
      service_at_locations: types.map((type, i) => ({
        id: `a${i}`,
        location: { id: `l${i}`, location_type: type, latitude: 10 + i, longitude: 20 + i },
      })),
      capacities: [{ id: 'c', unit: { id: 'u', name: 'Open seats' }, available: 1 }],
    });

  it.each([
    { types: ['physical'], modality: 'in_person', lat: 10 },
    { types: ['virtual'], modality: 'virtual', lat: 10 },
    { types: ['virtual', 'physical'], modality: 'both', lat: 11 },
    { types: ['postal', 'virtual'], modality: 'virtual', lat: 11 },
  ])('reads $types locations as $modality, placed at the physical one', (c) => {
    const [read] = readDirectoryHsds(service(c.types)).entries;
    expect(read?.fields).toMatchObject({ modality: c.modality, lat: c.lat });
  });

  it('refuses a status HSDS does not have, and reports postal and second locations as unused', () => {
    const parsed = readDirectoryHsds(service(['physical', 'postal', 'physical'], 'open'));
    expect(parsed.rejected).toEqual([
      {
        row: 's1',
        problems: ['status "open" is not one of: active, inactive, defunct, temporarily closed'],
      },
    ]);
    expect(parsed.unused).toEqual([
      { field: 'location (a second physical location: one place a provider)', count: 1 },
      { field: 'location (postal)', count: 1 },
    ]);
  });

  it.each([
    { status: 'active', accepting: true },
    { status: 'temporarily closed', accepting: false },
    { status: 'inactive', accepting: false },
    { status: 'defunct', accepting: false },
  ])('reads status $status as accepting $accepting', ({ status, accepting }) => {
    const [read] = readDirectoryHsds(service(['physical'], status)).entries;
    expect(read?.fields.accepting).toBe(accepting);
  });
});
