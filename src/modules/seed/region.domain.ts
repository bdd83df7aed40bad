import { LocalCalendar } from './calendar.domain.ts';
import { buildAreas, type AreaPlan, type GenerationContext } from './catalogue.domain.ts';
import { buildGroups, type GroupPlan, type SessionPlan } from './groups.domain.ts';
import { buildAppointments, visitPlanOf, type AreaCare } from './appointments.domain.ts';
import { buildAttendance, buildEnrollment, buildPatient, type Seat } from './people.domain.ts';
import { places } from './places.domain.ts';
import { scenarioDisruption } from './scenario.domain.ts';
import { localDateOf } from '../../shared/clock.ts';
import { createIdSource, streamOf } from './prng.domain.ts';
import {
  emptyCounts,
  maxBatchRows,
  seedTables,
  type AppointmentRow,
  type AttendanceRow,
  type EnrollmentRow,
  type GroupSessionRow,
  type PatientRow,
  type RowBatch,
  type SeedTable,
  type SeedTables,
  type TableCounts,
} from './rows.domain.ts';
import { scaleParameters, type Scale } from './scale.domain.ts';

/*
 * The synthetic region: a pure, deterministic generator of the whole catalogue. The same options
 * give byte-identical rows. The catalogue (areas, clinics, staff, providers, groups, sessions) is
 * planned in memory up front; patients and everything about them are produced lazily, in batches,
 * so that a region of 250,000 patients streams into the database without being held at once.
 */

export interface RegionOptions {
  scale: Scale;
  seed: number;
  /** Sessions and visits are placed around this instant. */
  now: Date;
  /** The organization's time zone: groups meet at wall-clock times in it. */
  timeZone: string;
}

export interface Region {
  /** Exactly the rows `batches()` yields, per table, known before any is produced. */
  counts: TableCounts;
  /** Every row, in batches of at most 1,000 of one table, in foreign-key order. Replayable. */
  batches(): Generator<RowBatch, void, undefined>;
}

/** Seeded ids carry timestamps from here on: a fixed instant, so ids do not depend on `now`. */
export const seedEpochMs = Date.UTC(2024, 0, 1);

function* chunks<T extends SeedTable>(
  table: T,
  rows: readonly SeedTables[T][],
): Generator<RowBatch, void, undefined> {
  for (let i = 0; i < rows.length; i += maxBatchRows)
    yield { table, rows: rows.slice(i, i + maxBatchRows) } as RowBatch;
}

function sessionRows(group: GroupPlan): GroupSessionRow[] {
  const s: SessionPlan = group.sessions;
  return s.ids.map((id, i) => ({
    id,
    group_id: group.row.id,
    starts_at: new Date(s.starts[i] ?? 0),
    ends_at: new Date(s.ends[i] ?? 0),
    status: s.status[i] ?? 'scheduled',
    cancel_reason: s.reasons[i] ?? null,
    disruption_id: null,
  }));
}

function careOf(area: AreaPlan): AreaCare {
  const active = area.clinicians.filter((c) => c.status === 'active');
  return {
    clinicians: active.map((c) => c.id),
    prescribers: active
      .filter((c) => c.discipline === 'psychiatrist' || c.discipline === 'psychiatric_np')
      .map((c) => c.id),
    providers: area.providers.map((p) => p.id),
  };
}

export function generateRegion(options: RegionOptions): Region {
  const { seed, now, timeZone } = options;
  const params = scaleParameters[options.scale];
  const calendar = new LocalCalendar(now, timeZone);
  const catalogueIds = createIdSource(streamOf(seed, 'catalogue-ids'), seedEpochMs);
  const ctx: GenerationContext = { seed, now, ids: catalogueIds };
  const areas = buildAreas(ctx, params, places);
  const groups = buildGroups(ctx, areas, calendar);

  // Each seat in a group gets a patient of its own; an area has at least as many patients as seats.
  const seats: Seat[][] = areas.map(() => []);
  for (const group of groups)
    for (const slot of group.slots) seats[group.areaIndex]?.push({ group, slot });
  const patientCounts = areas.map((area) =>
    Math.max(area.patientCount, seats[area.index]?.length ?? 0),
  );
  const totalPatients = patientCounts.reduce((a, b) => a + b, 0);

  const counts = emptyCounts();
  counts.service_area = areas.length;
  for (const area of areas) {
    counts.location += area.locations.length;
    counts.clinician += area.clinicians.length;
    counts.outside_provider += area.providers.length;
  }
  counts.therapy_group = groups.length;
  for (const group of groups) {
    counts.group_facilitator += group.facilitators.length;
    counts.group_session += group.sessions.ids.length;
    counts.enrollment += group.slots.length;
    for (const slot of group.slots) counts.attendance += slot.attendance;
  }
  const disruption = scenarioDisruption(
    seed,
    seedEpochMs,
    localDateOf(now, timeZone),
    groups.map((g) => g.row),
    groups.flatMap((g) => g.facilitators),
  );
  counts.disruption = disruption ? 1 : 0;
  counts.patient = totalPatients;
  for (let p = 0; p < totalPatients; p++) counts.appointment += visitPlanOf(seed, p, now).count;

  const peopleIdBase = seedEpochMs + catalogueIds.issued;

  function* batches(): Generator<RowBatch, void, undefined> {
    yield* chunks(
      'service_area',
      areas.map((a) => a.row),
    );
    yield* chunks(
      'location',
      areas.flatMap((a) => a.locations),
    );
    yield* chunks(
      'clinician',
      areas.flatMap((a) => a.clinicians),
    );
    yield* chunks(
      'outside_provider',
      areas.flatMap((a) => a.providers),
    );
    yield* chunks(
      'therapy_group',
      groups.map((g) => g.row),
    );
    yield* chunks(
      'group_facilitator',
      groups.flatMap((g) => g.facilitators),
    );
    yield* chunks('disruption', disruption ? [disruption] : []);
    let sessionBuffer: GroupSessionRow[] = [];
    for (const group of groups) {
      sessionBuffer.push(...sessionRows(group));
      if (sessionBuffer.length >= maxBatchRows) {
        yield* chunks('group_session', sessionBuffer);
        sessionBuffer = [];
      }
    }
    yield* chunks('group_session', sessionBuffer);

    const ids = createIdSource(streamOf(seed, 'people-ids'), peopleIdBase);
    let patients: PatientRow[] = [];
    let enrollments: EnrollmentRow[] = [];
    let attendance: AttendanceRow[] = [];
    let appointments: AppointmentRow[] = [];
    function* flush(): Generator<RowBatch, void, undefined> {
      yield* chunks('patient', patients);
      yield* chunks('enrollment', enrollments);
      yield* chunks('attendance', attendance);
      yield* chunks('appointment', appointments);
      patients = [];
      enrollments = [];
      attendance = [];
      appointments = [];
    }
    let p = 0;
    for (const area of areas) {
      const care = careOf(area);
      const areaSeats = seats[area.index] ?? [];
      for (let local = 0; local < (patientCounts[area.index] ?? 0); local++, p++) {
        const seat = areaSeats[local];
        const visits = visitPlanOf(seed, p, now);
        const patient = buildPatient(seed, p, ids.next(), area, seat, visits.dischargedAt);
        patients.push(patient);
        if (seat) {
          enrollments.push(buildEnrollment(ids.next(), patient.id, seat, calendar));
          attendance.push(...buildAttendance(seed, p, patient.id, seat, calendar));
        }
        appointments.push(
          ...buildAppointments({
            now,
            calendar,
            ids,
            patientId: patient.id,
            conditions: patient.conditions,
            care,
            visits,
          }),
        );
        if (patients.length >= maxBatchRows) yield* flush();
      }
    }
    yield* flush();
  }

  return { counts, batches };
}

/** Every row of a region, table by table: for tests and small scales only. */
export function collectRegion(region: Region): { [T in SeedTable]: SeedTables[T][] } {
  const tables = Object.fromEntries(seedTables.map((table) => [table, []])) as unknown as {
    [T in SeedTable]: SeedTables[T][];
  };
  for (const batch of region.batches()) (tables[batch.table] as unknown[]).push(...batch.rows);
  return tables;
}
