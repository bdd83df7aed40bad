/*
 * The rows the region generator produces: plain objects with the database's snake_case columns,
 * ready to insert. seed.repository.ts checks at compile time that each is insertable into its
 * table (the domain may not import the Database type itself).
 */

export interface ServiceAreaRow {
  id: string;
  code: string;
  name: string;
  lat: number;
  lon: number;
  members: number;
}

export interface LocationRow {
  id: string;
  service_area_id: string;
  name: string;
  address: string;
  lat: number;
  lon: number;
  accessible: boolean;
}

export interface ClinicianRow {
  id: string;
  npi: string;
  name: string;
  discipline: string;
  specialties: string[];
  languages: string[];
  certifications: string[];
  location_id: string;
  fte: number;
  status: string;
}

export interface OutsideProviderRow {
  id: string;
  name: string;
  organization: string | null;
  npi: string | null;
  specialties: string[];
  languages: string[];
  certifications: string[];
  modality: string;
  lat: number;
  lon: number;
  accommodations: string[];
  weekly_capacity: number;
  accepting: boolean;
  capacity_confirmed_at: Date | null;
}

export interface TherapyGroupRow {
  id: string;
  name: string;
  specialty: string;
  modality: string;
  language: string;
  accommodations: string[];
  location_id: string;
  capacity: number;
  min_size: number;
  kind: string;
  status: string;
  rrule: string;
  session_minutes: number;
  starts_on: string;
  ends_on: string | null;
}

export interface GroupFacilitatorRow {
  group_id: string;
  clinician_id: string;
  role: string;
}

/** The scenario's draft strike (scenario.domain.ts). */
export interface DisruptionRow {
  id: string;
  kind: string;
  title: string;
  scope: Record<string, unknown>;
  starts_on: string;
  ends_on: string | null;
  status: string;
}

export interface GroupSessionRow {
  id: string;
  group_id: string;
  starts_at: Date;
  ends_at: Date;
  status: string;
  cancel_reason: string | null;
  disruption_id: string | null;
}

export interface PatientRow {
  id: string;
  mrn: string;
  name: string;
  birth_date: string;
  language: string;
  service_area_id: string;
  lat: number;
  lon: number;
  needs: string[];
  conditions: string[];
  risk: string;
  discharged_at: Date | null;
  perinatal: boolean;
  contact_preferences: Record<string, unknown>;
}

export interface EnrollmentRow {
  id: string;
  patient_id: string;
  group_id: string;
  status: string;
  starts_on: string;
  ends_on: string | null;
  end_reason: string | null;
}

export interface AttendanceRow {
  session_id: string;
  patient_id: string;
  status: string;
}

export interface AppointmentRow {
  id: string;
  patient_id: string;
  clinician_id: string | null;
  provider_id: string | null;
  session_id: string | null;
  kind: string;
  urgency: string;
  prior_authorization: boolean;
  requested_at: Date;
  first_offered_at: Date | null;
  starts_at: Date | null;
  status: string;
  cancelled_by: string | null;
  interval_override_note: string | null;
}

export interface SeedTables {
  service_area: ServiceAreaRow;
  location: LocationRow;
  clinician: ClinicianRow;
  outside_provider: OutsideProviderRow;
  therapy_group: TherapyGroupRow;
  group_facilitator: GroupFacilitatorRow;
  disruption: DisruptionRow;
  group_session: GroupSessionRow;
  patient: PatientRow;
  enrollment: EnrollmentRow;
  attendance: AttendanceRow;
  appointment: AppointmentRow;
}

export type SeedTable = keyof SeedTables;

/** Every seeded table, in an order that satisfies the foreign keys. */
export const seedTables = [
  'service_area',
  'location',
  'clinician',
  'outside_provider',
  'therapy_group',
  'group_facilitator',
  'disruption',
  'group_session',
  'patient',
  'enrollment',
  'attendance',
  'appointment',
] as const satisfies readonly SeedTable[];

export type TableCounts = Record<SeedTable, number>;

/** A chunk of rows of one table. */
export type RowBatch = { [T in SeedTable]: { table: T; rows: SeedTables[T][] } }[SeedTable];

/** The generator yields at most this many rows per batch. */
export const maxBatchRows = 1000;

export function emptyCounts(): TableCounts {
  return Object.fromEntries(seedTables.map((table) => [table, 0])) as TableCounts;
}
