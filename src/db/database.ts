import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction } from 'kysely';

/*
 * The Database type: one interface per table, as the migrations create them.
 * `date` columns are read and written as 'YYYY-MM-DD' strings, `timestamptz` as Date,
 * `numeric` and `bigint` as number (see connect.ts, which sets the same parsers on both engines).
 */

type Timestamps = {
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
};

/** Postgres arrays: written and read as string arrays. */
type TextArray = ColumnType<string[], string[] | undefined, string[]>;
type Json<T> = ColumnType<T, T | undefined, T>;

export interface ServiceAreaTable extends Timestamps {
  id: string;
  code: string;
  name: string;
  lat: number;
  lon: number;
  members: number;
}

export interface LocationTable extends Timestamps {
  id: string;
  service_area_id: string;
  name: string;
  address: string;
  lat: number;
  lon: number;
  accessible: Generated<boolean>;
}

export interface ClinicianTable extends Timestamps {
  id: string;
  npi: string;
  name: string;
  discipline: string;
  specialties: TextArray;
  languages: TextArray;
  certifications: TextArray;
  location_id: string;
  fte: ColumnType<number, number | undefined, number>;
  status: Generated<string>;
}

export interface TherapyGroupTable extends Timestamps {
  id: string;
  name: string;
  specialty: string;
  modality: string;
  language: Generated<string>;
  accommodations: TextArray;
  location_id: string;
  capacity: number;
  /** Active enrollments, kept by triggers (0003-rematch); a CHECK holds it ≤ capacity. */
  seats_taken: Generated<number>;
  min_size: Generated<number>;
  kind: Generated<string>;
  status: Generated<string>;
  rrule: string;
  session_minutes: Generated<number>;
  starts_on: string;
  ends_on: string | null;
}

export interface GroupFacilitatorTable {
  group_id: string;
  clinician_id: string;
  role: Generated<string>;
}

export interface GroupSessionTable {
  id: string;
  group_id: string;
  starts_at: Date;
  ends_at: Date;
  status: Generated<string>;
  cancel_reason: string | null;
  disruption_id: string | null;
}

export interface AttendanceTable {
  session_id: string;
  patient_id: string;
  status: string;
}

export interface PatientTable extends Timestamps {
  id: string;
  mrn: string;
  name: string;
  birth_date: string;
  language: Generated<string>;
  service_area_id: string;
  lat: number;
  lon: number;
  needs: TextArray;
  conditions: TextArray;
  risk: Generated<string>;
  discharged_at: Date | null;
  perinatal: Generated<boolean>;
  contact_preferences: Json<Record<string, unknown>>;
}

export interface EnrollmentTable extends Timestamps {
  id: string;
  patient_id: string;
  group_id: string;
  status: Generated<string>;
  starts_on: string;
  ends_on: string | null;
  end_reason: string | null;
}

export interface AppointmentTable {
  id: string;
  patient_id: string;
  clinician_id: string | null;
  provider_id: string | null;
  session_id: string | null;
  kind: string;
  urgency: Generated<string>;
  prior_authorization: Generated<boolean>;
  requested_at: Date;
  first_offered_at: Date | null;
  starts_at: Date | null;
  status: string;
  cancelled_by: string | null;
  interval_override_note: string | null;
  /** The re-match proposal this appointment was committed from. */
  proposal_id: string | null;
  created_at: Generated<Date>;
}

export interface OutsideProviderTable extends Timestamps {
  id: string;
  name: string;
  organization: string | null;
  npi: string | null;
  specialties: TextArray;
  languages: TextArray;
  certifications: TextArray;
  modality: string;
  lat: number;
  lon: number;
  accommodations: TextArray;
  weekly_capacity: Generated<number>;
  accepting: Generated<boolean>;
  capacity_confirmed_at: Date | null;
}

export interface DisruptionTable extends Timestamps {
  id: string;
  kind: string;
  title: string;
  scope: Json<Record<string, unknown>>;
  starts_on: string;
  ends_on: string | null;
  status: Generated<string>;
  applied_at: Date | null;
  ended_at: Date | null;
}

export interface MatchRunTable {
  id: string;
  disruption_id: string | null;
  params: Json<Record<string, unknown>>;
  stats: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
  created_by: Generated<string>;
  solve_ms: Generated<number>;
}

export interface MatchProposalTable {
  id: string;
  run_id: string;
  patient_id: string;
  option: string;
  target_id: string | null;
  cost: number;
  explanation: Json<Record<string, unknown>>;
  decision: Generated<string>;
  rank: Generated<number>;
  tier: Generated<string>;
  conflict: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  committed_entity: string | null;
  committed_id: string | null;
  version: Generated<number>;
}

export interface EquivalenceOverrideTable {
  need: string;
  target: string;
  score: number;
  rationale: string;
  updated_by: string;
  updated_at: Generated<Date>;
}

export interface CalendarClosureTable {
  day: string;
  reason: string;
  added_by: string;
  added_at: Generated<Date>;
}

export interface BusinessDayTable {
  day: string;
  business: boolean;
  ordinal: number;
}

export interface CalendarStateTable {
  id: Generated<boolean>;
  fingerprint: string;
  time_zone: string;
  from_year: number;
  to_year: number;
  updated_at: Generated<Date>;
}

export interface ReferralTable extends Timestamps {
  id: string;
  patient_id: string;
  provider_id: string;
  proposal_id: string | null;
  status: Generated<string>;
  due_at: Date | null;
  reason: string | null;
  history: Json<unknown[]>;
  sent_at: Date | null;
  response_due_at: Date | null;
  accepted_at: Date | null;
  first_appointment_at: Date | null;
  decline_reason: string | null;
}

export interface OutreachTable {
  id: string;
  patient_id: string;
  channel: string;
  at: Date;
  outcome: string;
  referral_id: string | null;
  recorded_by: Generated<string>;
  note: string | null;
}

export interface GrievanceTable extends Timestamps {
  id: string;
  patient_id: string;
  received_at: Date;
  channel: string;
  type: string;
  line_of_business: string;
  expedited: Generated<boolean>;
  disruption_id: string | null;
  acknowledged_at: Date | null;
  resolved_at: Date | null;
  status: Generated<string>;
  resolution: string | null;
  summary: Generated<string>;
  /** Free text: never logged, never in an error or audit detail. */
  notes: string | null;
  pending_with: Generated<string>;
  regulator_notice_at: Date | null;
  disposition_sent_at: Date | null;
  withdrawn_at: Date | null;
  received_by: Generated<string>;
}

export interface AppUserTable {
  id: string;
  email: string;
  name: string;
  role: string;
  clinician_id: string | null;
  password_hash: string | null;
  active: Generated<boolean>;
  failed_logins: Generated<number>;
  locked_until: Date | null;
  last_login_at: Date | null;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface UserSessionTable {
  id: string;
  user_id: string;
  created_at: Generated<Date>;
  last_seen_at: Generated<Date>;
  expires_at: Date;
  csrf_token: string;
  ip: string | null;
}

export interface LoginAttemptTable {
  id: Generated<number>;
  at: Date;
  email: string;
  ip: string;
  success: boolean;
}

export interface ApiTokenTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: Generated<Date>;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export interface AuditEventTable {
  seq: Generated<number>;
  at: Generated<Date>;
  actor: string;
  action: string;
  entity: string;
  entity_id: string | null;
  patient_id: string | null;
  entity_ids: string[] | null;
  patient_ids: string[] | null;
  detail: Json<Record<string, unknown>>;
  ip: string | null;
  outcome: Generated<string>;
  prev_hash: string;
  hash: string;
}

export interface Database {
  service_area: ServiceAreaTable;
  location: LocationTable;
  clinician: ClinicianTable;
  therapy_group: TherapyGroupTable;
  group_facilitator: GroupFacilitatorTable;
  group_session: GroupSessionTable;
  attendance: AttendanceTable;
  patient: PatientTable;
  enrollment: EnrollmentTable;
  appointment: AppointmentTable;
  outside_provider: OutsideProviderTable;
  disruption: DisruptionTable;
  match_run: MatchRunTable;
  match_proposal: MatchProposalTable;
  equivalence_override: EquivalenceOverrideTable;
  calendar_closure: CalendarClosureTable;
  business_day: BusinessDayTable;
  calendar_state: CalendarStateTable;
  referral: ReferralTable;
  outreach: OutreachTable;
  grievance: GrievanceTable;
  app_user: AppUserTable;
  user_session: UserSessionTable;
  api_token: ApiTokenTable;
  login_attempt: LoginAttemptTable;
  audit_event: AuditEventTable;
  external_identifier: ExternalIdentifierTable;
  bulk_export: BulkExportTable;
}

export interface ExternalIdentifierTable {
  resource_type: string;
  system: string;
  value: string;
  entity_id: string;
  created_at: Generated<Date>;
}

export interface BulkExportTable {
  id: string;
  requested_by: string;
  request_url: string;
  types: TextArray;
  since: Date | null;
  group_id: string | null;
  status: Generated<string>;
  transaction_time: Date;
  output: Json<{ type: string; url: string; count: number }[]>;
  progress: Json<Record<string, number>>;
  error: string | null;
  created_at: Generated<Date>;
  completed_at: Date | null;
}

/** The database handle, or a transaction on it: repositories accept either. */
export type Db = Kysely<Database> | Transaction<Database>;
export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;

/** The core entities counted by `continuity stats`. */
export const coreTables = [
  'service_area',
  'location',
  'clinician',
  'therapy_group',
  'group_facilitator',
  'group_session',
  'attendance',
  'patient',
  'enrollment',
  'appointment',
  'outside_provider',
  'disruption',
] as const satisfies readonly (keyof Database)[];
