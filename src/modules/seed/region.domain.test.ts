import { describe, expect, it } from 'vitest';
import { wallTimeOf } from '../../shared/clock.ts';
import { rruleProblem } from '../groups/schedule.domain.ts';
import {
  accommodations,
  certifications,
  disciplines,
  needs,
  specialties,
} from '../vocabulary/vocabulary.domain.ts';
import { distanceKm, places } from './places.domain.ts';
import { collectRegion, generateRegion, type RegionOptions } from './region.domain.ts';
import { seedTables } from './rows.domain.ts';
import { apportion, scaleParameters } from './scale.domain.ts';
import { scenarioNames } from './scenario.domain.ts';
import { luhnCheckDigit } from './shares.domain.ts';

const timeZone = 'America/Los_Angeles';
const options: RegionOptions = {
  scale: 'demo',
  seed: 1,
  now: new Date('2025-03-03T17:00:00Z'),
  timeZone,
};
const demo = generateRegion(options);
const t = collectRegion(demo);
const now = options.now.getTime();
const day = 86_400_000;

const byId = <T extends { id: string }>(rows: readonly T[]) => new Map(rows.map((r) => [r.id, r]));
const groups = byId(t.therapy_group);
const patients = byId(t.patient);
const locations = byId(t.location);
const sessions = byId(t.group_session);
const areaOfLocation = (id: string) => locations.get(id)?.service_area_id;
const subset = (values: readonly string[], allowed: readonly string[]) =>
  values.every((v) => allowed.includes(v));
const share = <T>(rows: readonly T[], test: (row: T) => boolean) =>
  rows.filter(test).length / rows.length;

describe('generateRegion: determinism', () => {
  it('gives deep-equal rows for the same options', () => {
    expect(collectRegion(generateRegion(options))).toEqual(t);
  });

  it('gives a different region for a different seed', () => {
    const other = collectRegion(generateRegion({ ...options, seed: 2 }));
    expect(other.patient[0]?.id).not.toBe(t.patient[0]?.id);
    expect(other.patient.map((p) => p.name)).not.toEqual(t.patient.map((p) => p.name));
  });

  it('yields exactly the counts it announces, in batches of at most 1,000', () => {
    for (const table of seedTables) expect(t[table], table).toHaveLength(demo.counts[table]);
    for (const batch of demo.batches()) expect(batch.rows.length).toBeLessThanOrEqual(1000);
  });
});

describe('generateRegion: demo shape', () => {
  it('has the demo sizes', () => {
    expect(t.service_area.map((a) => a.code)).toEqual([
      'WOODLAND_HILLS',
      'PANORAMA_CITY',
      'WEST_LA',
    ]);
    expect(t.clinician).toHaveLength(60);
    expect(t.therapy_group).toHaveLength(80);
    expect(t.patient).toHaveLength(1500);
    expect(t.outside_provider).toHaveLength(40);
    expect(t.location.length).toBeGreaterThanOrEqual(3);
  });

  it('covers every specialty with at least one group', () => {
    expect(new Set(t.therapy_group.map((g) => g.specialty))).toEqual(new Set(specialties));
  });

  it('draws shares close to the intended ones', () => {
    expect(share(t.patient, (p) => p.risk === 'low')).toBeCloseTo(0.7, 1);
    expect(share(t.patient, (p) => p.risk === 'high')).toBeLessThan(0.15);
    expect(share(t.patient, (p) => p.discharged_at !== null)).toBeLessThan(0.05);
    expect(share(t.therapy_group, (g) => g.modality === 'virtual')).toBeCloseTo(0.25, 1);
    expect(share(t.clinician, (c) => c.languages.includes('es'))).toBeCloseTo(0.3, 1);
    const psychiatrists = share(t.clinician, (c) => c.discipline === 'psychiatrist');
    expect(psychiatrists).toBeGreaterThan(0.02);
    expect(psychiatrists).toBeLessThan(0.2);
  });
});

describe('generateRegion: schema rules', () => {
  it('gives every row a unique id, and composite keys are unique', () => {
    const ids = seedTables.flatMap((table) =>
      (t[table] as readonly object[]).flatMap((row) => ('id' in row ? [row.id] : [])),
    );
    expect(new Set(ids).size).toBe(ids.length);
    const keys = (rows: readonly string[]) => new Set(rows).size === rows.length;
    expect(keys(t.group_facilitator.map((f) => `${f.group_id} ${f.clinician_id}`))).toBe(true);
    expect(keys(t.attendance.map((a) => `${a.session_id} ${a.patient_id}`))).toBe(true);
    expect(keys(t.group_session.map((s) => `${s.group_id} ${s.starts_at.toISOString()}`))).toBe(
      true,
    );
  });

  it('points every reference at a row that exists', () => {
    const areas = byId(t.service_area);
    const clinicians = byId(t.clinician);
    const providers = byId(t.outside_provider);
    expect(t.location.every((l) => areas.has(l.service_area_id))).toBe(true);
    expect(t.clinician.every((c) => locations.has(c.location_id))).toBe(true);
    expect(t.therapy_group.every((g) => locations.has(g.location_id))).toBe(true);
    expect(t.group_facilitator.every((f) => groups.has(f.group_id))).toBe(true);
    expect(t.group_facilitator.every((f) => clinicians.has(f.clinician_id))).toBe(true);
    expect(t.group_session.every((s) => groups.has(s.group_id))).toBe(true);
    expect(t.patient.every((p) => areas.has(p.service_area_id))).toBe(true);
    expect(t.enrollment.every((e) => patients.has(e.patient_id) && groups.has(e.group_id))).toBe(
      true,
    );
    expect(
      t.attendance.every((a) => sessions.has(a.session_id) && patients.has(a.patient_id)),
    ).toBe(true);
    for (const a of t.appointment) {
      expect(patients.has(a.patient_id)).toBe(true);
      if (a.clinician_id) expect(clinicians.has(a.clinician_id)).toBe(true);
      if (a.provider_id) expect(providers.has(a.provider_id)).toBe(true);
    }
  });

  it('keeps coordinates, codes, NPIs and MRNs within their rules', () => {
    const points = [...t.service_area, ...t.location, ...t.patient, ...t.outside_provider];
    expect(points.every((p) => Math.abs(p.lat) <= 90 && Math.abs(p.lon) <= 180)).toBe(true);
    expect(t.service_area.every((a) => /^[A-Z0-9_]{2,16}$/.test(a.code) && a.members >= 0)).toBe(
      true,
    );
    const npis = [
      ...t.clinician.map((c) => c.npi),
      ...t.outside_provider.flatMap((p) => p.npi ?? []),
    ];
    expect(npis.every((npi) => /^[0-9]{10}$/.test(npi))).toBe(true);
    expect(npis.every((npi) => luhnCheckDigit(`80840${npi.slice(0, 9)}`) === npi[9])).toBe(true);
    expect(new Set(npis).size).toBe(npis.length);
    const mrns = t.patient.map((p) => p.mrn);
    expect(mrns.every((mrn) => /^[A-Z0-9-]{4,20}$/.test(mrn))).toBe(true);
    expect(new Set(mrns).size).toBe(mrns.length);
  });

  it('uses only the vocabulary the CHECK constraints allow', () => {
    for (const c of t.clinician) {
      expect(disciplines).toContain(c.discipline);
      expect(subset(c.specialties, specialties)).toBe(true);
      expect(subset(c.certifications, certifications)).toBe(true);
      expect(c.languages.length).toBeGreaterThan(0);
      expect(c.fte > 0 && c.fte <= 1).toBe(true);
      expect(['active', 'leave', 'inactive']).toContain(c.status);
    }
    for (const p of t.outside_provider) {
      expect(subset(p.specialties, specialties) && subset(p.certifications, certifications)).toBe(
        true,
      );
      expect(subset(p.accommodations, accommodations)).toBe(true);
      expect(['in_person', 'virtual', 'both']).toContain(p.modality);
      expect(p.weekly_capacity >= 0 && p.weekly_capacity <= 1000).toBe(true);
    }
    for (const p of t.patient) {
      expect(subset(p.needs, needs) && subset(p.conditions, specialties)).toBe(true);
      expect(['low', 'moderate', 'high']).toContain(p.risk);
      expect(p.language).toMatch(/^[a-z]{2,3}$/);
      expect(p.birth_date >= '1945-01-01' && p.birth_date <= '2007-12-31').toBe(true);
      if (p.perinatal)
        expect(p.birth_date >= '1984-01-01' && p.birth_date <= '2004-12-31').toBe(true);
    }
  });

  it('makes groups the schema accepts, with evening and wheelchair where they belong', () => {
    for (const g of t.therapy_group) {
      expect(g.capacity >= 6 && g.capacity <= 12 && g.min_size === 5).toBe(true);
      expect(rruleProblem(g.rrule)).toBeNull();
      expect(g.session_minutes >= 15 && g.session_minutes <= 240).toBe(true);
      expect(subset(g.accommodations, accommodations)).toBe(true);
      if (g.ends_on) expect(g.ends_on >= g.starts_on).toBe(true);
      const hour = Number(/BYHOUR=(\d+)/.exec(g.rrule)?.[1]);
      expect(g.accommodations.includes('evening')).toBe(hour >= 17);
      if (g.accommodations.includes('wheelchair')) {
        expect(g.modality).toBe('in_person');
        expect(locations.get(g.location_id)?.accessible).toBe(true);
      }
      if (g.accommodations.includes('baby_friendly')) expect(g.modality).toBe('in_person');
    }
  });

  it('holds past sessions and schedules future ones, at the group’s wall-clock time', () => {
    for (const s of t.group_session) {
      expect(s.ends_at.getTime()).toBeGreaterThan(s.starts_at.getTime());
      expect(Math.abs(s.starts_at.getTime() - now)).toBeLessThanOrEqual(26 * 7 * day);
      if (s.starts_at.getTime() >= now) expect(s.status).toBe('scheduled');
      else expect(['held', 'cancelled']).toContain(s.status);
      expect(s.status === 'cancelled').toBe(s.cancel_reason !== null);
      expect(s.disruption_id).toBeNull();
      const rrule = groups.get(s.group_id)?.rrule ?? '';
      expect(wallTimeOf(s.starts_at, timeZone).hour).toBe(Number(/BYHOUR=(\d+)/.exec(rrule)?.[1]));
    }
    expect(share(t.group_session, (s) => s.status === 'cancelled')).toBeLessThan(0.06);
  });

  it('makes appointments that satisfy the appointment CHECKs', () => {
    for (const a of t.appointment) {
      expect(['initial', 'follow_up', 'group', 'discharge_follow_up']).toContain(a.kind);
      expect(['urgent', 'non_urgent']).toContain(a.urgency);
      if (a.first_offered_at) expect(a.first_offered_at >= a.requested_at).toBe(true);
      if (a.starts_at && a.first_offered_at) expect(a.starts_at >= a.first_offered_at).toBe(true);
      expect(a.status === 'cancelled').toBe(a.cancelled_by !== null);
      expect(a.requested_at.getTime()).toBeLessThan(now);
      expect(a.requested_at.getTime()).toBeGreaterThan(now - 366 * day);
      if (a.status === 'attended' || a.status === 'no_show')
        expect(a.starts_at?.getTime()).toBeLessThan(now);
      if (a.status === 'booked') expect(a.starts_at?.getTime()).toBeGreaterThanOrEqual(now);
      if (a.prior_authorization) expect(a.urgency).toBe('urgent');
    }
  });
});

describe('generateRegion: enrollments', () => {
  const open = t.enrollment.filter((e) => e.status !== 'ended');

  it('never seats more active members than a group holds', () => {
    const seated = new Map<string, number>();
    for (const e of t.enrollment)
      if (e.status === 'active' || e.status === 'paused')
        seated.set(e.group_id, (seated.get(e.group_id) ?? 0) + 1);
    for (const [groupId, n] of seated)
      expect(n).toBeLessThanOrEqual(groups.get(groupId)?.capacity ?? 0);
  });

  it('meets every enrolled patient’s needs and language', () => {
    for (const e of t.enrollment) {
      const p = patients.get(e.patient_id);
      const g = groups.get(e.group_id);
      if (!p || !g) throw new Error('dangling enrollment');
      const offers = (a: string) => g.accommodations.includes(a);
      for (const need of p.needs) {
        if (need === 'telehealth_only') expect(g.modality).toBe('virtual');
        else if (need === 'in_person_only') expect(g.modality).toBe('in_person');
        else if (need === 'interpreter')
          expect(offers('interpreter') || g.language === p.language).toBe(true);
        else expect(offers(need), need).toBe(true);
      }
      expect(p.language === g.language || offers('interpreter')).toBe(true);
      expect(p.service_area_id).toBe(areaOfLocation(g.location_id));
      expect(p.conditions).toContain(g.specialty);
    }
  });

  it('keeps one open enrollment per patient and group, and ends only ended ones', () => {
    expect(new Set(open.map((e) => `${e.patient_id} ${e.group_id}`)).size).toBe(open.length);
    for (const e of t.enrollment) {
      expect(e.status === 'ended').toBe(e.ends_on !== null);
      if (e.ends_on) expect(e.ends_on >= e.starts_on).toBe(true);
    }
  });

  it('registers attendance only for held sessions of active members since they joined', () => {
    const active = new Map(
      t.enrollment.filter((e) => e.status === 'active').map((e) => [e.patient_id, e]),
    );
    for (const a of t.attendance) {
      const s = sessions.get(a.session_id);
      const e = active.get(a.patient_id);
      expect(s?.status).toBe('held');
      expect(e?.group_id).toBe(s?.group_id);
    }
    expect(share(t.attendance, (a) => a.status === 'present')).toBeCloseTo(0.75, 1);
  });

  it('keeps homes within 15 km of the area centre', () => {
    const areas = byId(t.service_area);
    for (const p of t.patient) {
      const area = areas.get(p.service_area_id);
      if (area) expect(distanceKm(p, area)).toBeLessThanOrEqual(15.01);
    }
  });
});

describe('generateRegion: the Woodland Hills scenario', () => {
  const wh = t.service_area.find((a) => a.code === 'WOODLAND_HILLS');
  const inWh = (g: { location_id: string }) => areaOfLocation(g.location_id) === wh?.id;

  it('has four baby-friendly postpartum groups with about 60 mothers, none over capacity', () => {
    const circles = t.therapy_group.filter((g) => scenarioNames.postpartumGroups.includes(g.name));
    expect(circles).toHaveLength(4);
    for (const g of circles) {
      expect(inWh(g)).toBe(true);
      expect(g.specialty).toBe('perinatal_mood_anxiety');
      expect(g.accommodations).toContain('baby_friendly');
      const members = t.enrollment.filter((e) => e.group_id === g.id);
      expect(members.filter((e) => e.status === 'active').length).toBeLessThanOrEqual(g.capacity);
    }
    const ids = new Set(circles.map((g) => g.id));
    const mothers = t.enrollment.filter(
      (e) => ids.has(e.group_id) && (e.status === 'active' || e.status === 'waitlisted'),
    );
    expect(mothers.length).toBeGreaterThanOrEqual(55);
    expect(mothers.length).toBeLessThanOrEqual(65);
    expect(mothers.every((e) => patients.get(e.patient_id)?.perinatal)).toBe(true);
  });

  it('has a general anxiety group there that is not baby-friendly', () => {
    const anxiety = t.therapy_group.find((g) => g.name === scenarioNames.anxietyGroup);
    expect(anxiety && inWh(anxiety)).toBe(true);
    expect(anxiety?.specialty).toBe('general_anxiety');
    expect(anxiety?.accommodations).not.toContain('baby_friendly');
  });

  it('has a PMH-C perinatal outside provider nearby, accepting, with open capacity', () => {
    const fits = t.outside_provider.filter(
      (p) =>
        p.certifications.includes('pmh_c') &&
        p.specialties.includes('perinatal_mood_anxiety') &&
        p.accepting &&
        p.weekly_capacity > 0 &&
        wh !== undefined &&
        distanceKm(p, wh) < 10,
    );
    expect(fits.length).toBeGreaterThanOrEqual(1);
  });
});

describe('scale parameters', () => {
  it('makes the region fourteen real areas with about 4.8 million members', () => {
    const region = scaleParameters.region;
    expect(region.areas).toHaveLength(14);
    const members = places.reduce((sum, p) => sum + p.members, 0);
    expect(members).toBe(4_800_000);
    expect(region).toMatchObject({ clinicians: 2_400, groups: 3_000, patients: 250_000 });
    expect(region.outsideProviders).toBe(1_500);
  });

  it('apportions totals exactly', () => {
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(
      apportion(
        250_000,
        places.map((p) => p.members),
      ).reduce((a, b) => a + b),
    ).toBe(250_000);
  });

  it('computes NPI check digits as CMS specifies', () => {
    expect(luhnCheckDigit('80840123456789')).toBe('3'); // NPI 1234567893, CMS's example
  });
});
