import { sql, type Kysely } from 'kysely';

/*
 * The core data model (DESIGN.md). Enumerations are spelled out here, frozen as history:
 * a later migration that widens one replaces its CHECK.
 */

const specialties = `'perinatal_mood_anxiety','perinatal_psychosis_risk','birth_trauma','psychosis','ptsd',
  'eating_disorders','depression','general_anxiety','social_anxiety','ocd','bipolar','substance_use','grief',
  'dbt_skills','anger_management','adolescent_mood'`;
const accommodations = `'baby_friendly','interpreter','evening','wheelchair'`;
const needs = `${accommodations},'telehealth_only','in_person_only'`;
const certifications = `'pmh_c','dbt_certified','emdr','cadc'`;
const disciplines = `'psychiatrist','psychiatric_np','psychologist','lcsw','lmft','lpcc','addiction_counselor'`;

const statements = [
  `create table service_area (
    id uuid primary key,
    code text not null unique check (code ~ '^[A-Z0-9_]{2,16}$'),
    name text not null check (length(name) between 1 and 200),
    lat double precision not null check (lat between -90 and 90),
    lon double precision not null check (lon between -180 and 180),
    members integer not null check (members >= 0),
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create table location (
    id uuid primary key,
    service_area_id uuid not null references service_area(id),
    name text not null check (length(name) between 1 and 200),
    address text not null check (length(address) between 1 and 500),
    lat double precision not null check (lat between -90 and 90),
    lon double precision not null check (lon between -180 and 180),
    accessible boolean not null default true,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create index location_service_area_idx on location (service_area_id)`,
  `create table clinician (
    id uuid primary key,
    npi text not null unique check (npi ~ '^[0-9]{10}$'),
    name text not null check (length(name) between 1 and 200),
    discipline text not null check (discipline in (${disciplines})),
    specialties text[] not null default '{}' check (specialties <@ array[${specialties}]::text[]),
    languages text[] not null default '{en}' check (cardinality(languages) >= 1),
    certifications text[] not null default '{}' check (certifications <@ array[${certifications}]::text[]),
    location_id uuid not null references location(id),
    fte numeric(3,2) not null default 1.00 check (fte > 0 and fte <= 1),
    status text not null default 'active' check (status in ('active','leave','inactive')),
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create index clinician_location_idx on clinician (location_id)`,
  `create index clinician_specialties_idx on clinician using gin (specialties)`,
  `create table therapy_group (
    id uuid primary key,
    name text not null check (length(name) between 1 and 200),
    specialty text not null check (specialty in (${specialties})),
    modality text not null check (modality in ('in_person','virtual')),
    language text not null default 'en' check (language ~ '^[a-z]{2,3}$'),
    accommodations text[] not null default '{}' check (accommodations <@ array[${accommodations}]::text[]),
    location_id uuid not null references location(id),
    capacity integer not null check (capacity between 1 and 12),
    min_size integer not null default 1 check (min_size >= 1 and min_size <= capacity),
    kind text not null default 'open' check (kind in ('open','closed')),
    status text not null default 'active' check (status in ('active','paused','ended')),
    rrule text not null check (length(rrule) between 10 and 500),
    session_minutes integer not null default 90 check (session_minutes between 15 and 240),
    starts_on date not null,
    ends_on date check (ends_on is null or ends_on >= starts_on),
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create index therapy_group_location_idx on therapy_group (location_id)`,
  `create index therapy_group_specialty_idx on therapy_group (specialty, status)`,
  `create table group_facilitator (
    group_id uuid not null references therapy_group(id) on delete cascade,
    clinician_id uuid not null references clinician(id),
    role text not null default 'lead' check (role in ('lead','co')),
    primary key (group_id, clinician_id)
  )`,
  `create index group_facilitator_clinician_idx on group_facilitator (clinician_id)`,
  `create table disruption (
    id uuid primary key,
    kind text not null check (kind in ('strike','clinician_leave','facility_closure','group_cancellation')),
    title text not null check (length(title) between 1 and 200),
    scope jsonb not null default '{}',
    starts_on date not null,
    ends_on date check (ends_on is null or ends_on >= starts_on),
    status text not null default 'draft' check (status in ('draft','active','ended')),
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create table group_session (
    id uuid primary key,
    group_id uuid not null references therapy_group(id) on delete cascade,
    starts_at timestamptz not null,
    ends_at timestamptz not null check (ends_at > starts_at),
    status text not null default 'scheduled' check (status in ('scheduled','held','cancelled')),
    cancel_reason text,
    disruption_id uuid references disruption(id),
    unique (group_id, starts_at),
    check (status = 'cancelled' or (cancel_reason is null and disruption_id is null))
  )`,
  `create index group_session_starts_idx on group_session (starts_at)`,
  `create index group_session_disruption_idx on group_session (disruption_id) where disruption_id is not null`,
  `create table patient (
    id uuid primary key,
    mrn text not null unique check (mrn ~ '^[A-Z0-9-]{4,20}$'),
    name text not null check (length(name) between 1 and 200),
    birth_date date not null check (birth_date >= '1900-01-01'),
    language text not null default 'en' check (language ~ '^[a-z]{2,3}$'),
    service_area_id uuid not null references service_area(id),
    lat double precision not null check (lat between -90 and 90),
    lon double precision not null check (lon between -180 and 180),
    needs text[] not null default '{}' check (needs <@ array[${needs}]::text[]),
    conditions text[] not null default '{}' check (conditions <@ array[${specialties}]::text[]),
    risk text not null default 'low' check (risk in ('low','moderate','high')),
    discharged_at timestamptz,
    perinatal boolean not null default false,
    contact_preferences jsonb not null default '{}',
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create index patient_service_area_idx on patient (service_area_id)`,
  `create index patient_discharged_idx on patient (discharged_at) where discharged_at is not null`,
  `create table attendance (
    session_id uuid not null references group_session(id) on delete cascade,
    patient_id uuid not null references patient(id),
    status text not null check (status in ('present','absent','excused')),
    primary key (session_id, patient_id)
  )`,
  `create index attendance_patient_idx on attendance (patient_id)`,
  `create table enrollment (
    id uuid primary key,
    patient_id uuid not null references patient(id),
    group_id uuid not null references therapy_group(id),
    status text not null default 'active' check (status in ('active','waitlisted','paused','ended')),
    starts_on date not null,
    ends_on date check (ends_on is null or ends_on >= starts_on),
    end_reason text check (end_reason is null or length(end_reason) <= 200),
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((status = 'ended') = (ends_on is not null))
  )`,
  `create unique index enrollment_open_unique on enrollment (patient_id, group_id) where status <> 'ended'`,
  `create index enrollment_group_idx on enrollment (group_id, status)`,
  `create table outside_provider (
    id uuid primary key,
    name text not null check (length(name) between 1 and 200),
    organization text check (organization is null or length(organization) <= 200),
    npi text unique check (npi is null or npi ~ '^[0-9]{10}$'),
    specialties text[] not null default '{}' check (specialties <@ array[${specialties}]::text[]),
    languages text[] not null default '{en}' check (cardinality(languages) >= 1),
    certifications text[] not null default '{}' check (certifications <@ array[${certifications}]::text[]),
    modality text not null check (modality in ('in_person','virtual','both')),
    lat double precision not null check (lat between -90 and 90),
    lon double precision not null check (lon between -180 and 180),
    accommodations text[] not null default '{}' check (accommodations <@ array[${accommodations}]::text[]),
    weekly_capacity integer not null default 0 check (weekly_capacity between 0 and 1000),
    accepting boolean not null default true,
    capacity_confirmed_at timestamptz,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create index outside_provider_specialties_idx on outside_provider using gin (specialties)`,
  `create table appointment (
    id uuid primary key,
    patient_id uuid not null references patient(id),
    clinician_id uuid references clinician(id),
    provider_id uuid references outside_provider(id),
    session_id uuid references group_session(id),
    kind text not null check (kind in ('initial','follow_up','group','discharge_follow_up')),
    urgency text not null default 'non_urgent' check (urgency in ('urgent','non_urgent')),
    prior_authorization boolean not null default false,
    requested_at timestamptz not null,
    first_offered_at timestamptz check (first_offered_at is null or first_offered_at >= requested_at),
    starts_at timestamptz,
    status text not null check (status in ('requested','booked','attended','no_show','cancelled')),
    cancelled_by text check (cancelled_by is null or cancelled_by in ('patient','provider')),
    interval_override_note text check (interval_override_note is null or length(interval_override_note) between 1 and 2000),
    created_at timestamptz not null default now(),
    check ((status = 'cancelled') = (cancelled_by is not null))
  )`,
  `create index appointment_patient_idx on appointment (patient_id, requested_at)`,
  `create index appointment_clinician_idx on appointment (clinician_id, starts_at) where clinician_id is not null`,
  `create table match_run (
    id uuid primary key,
    disruption_id uuid references disruption(id),
    params jsonb not null default '{}',
    stats jsonb not null default '{}',
    created_at timestamptz not null default now()
  )`,
  `create table match_proposal (
    id uuid primary key,
    run_id uuid not null references match_run(id) on delete cascade,
    patient_id uuid not null references patient(id),
    option text not null check (option in ('group','outside_provider','individual','unmatched')),
    target_id uuid,
    cost double precision not null,
    explanation jsonb not null default '{}',
    decision text not null default 'pending' check (decision in ('pending','approved','rejected','committed')),
    unique (run_id, patient_id)
  )`,
  `create table referral (
    id uuid primary key,
    patient_id uuid not null references patient(id),
    provider_id uuid not null references outside_provider(id),
    proposal_id uuid references match_proposal(id),
    status text not null default 'draft' check (status in ('draft','sent','accepted','declined','scheduled','completed','no_show','expired','cancelled')),
    due_at timestamptz,
    reason text check (reason is null or length(reason) <= 500),
    history jsonb not null default '[]',
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create index referral_patient_idx on referral (patient_id)`,
  `create index referral_status_idx on referral (status, due_at)`,
  `create table outreach (
    id uuid primary key,
    patient_id uuid not null references patient(id),
    channel text not null check (channel in ('phone','sms','email','letter','portal','in_person')),
    at timestamptz not null,
    outcome text not null check (outcome in ('reached','left_message','no_answer','wrong_number','declined'))
  )`,
  `create index outreach_patient_idx on outreach (patient_id, at)`,
  `create table grievance (
    id uuid primary key,
    patient_id uuid not null references patient(id),
    received_at timestamptz not null,
    channel text not null check (channel in ('phone','letter','portal','in_person')),
    type text not null check (type in ('coverage_dispute','medical_necessity','quality_of_care','access_to_care','quality_of_service')),
    line_of_business text not null check (line_of_business in ('commercial','medicare','medi_cal')),
    expedited boolean not null default false,
    disruption_id uuid references disruption(id),
    acknowledged_at timestamptz,
    resolved_at timestamptz,
    status text not null default 'received' check (status in ('received','acknowledged','resolved','withdrawn')),
    resolution text,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create index grievance_received_idx on grievance (received_at)`,
  `create table app_user (
    id uuid primary key,
    email text not null unique check (email = lower(email) and email like '%@%'),
    name text not null check (length(name) between 1 and 200),
    role text not null check (role in ('admin','coordinator','clinician','compliance','auditor')),
    clinician_id uuid references clinician(id),
    password_hash text,
    active boolean not null default true,
    created_at timestamptz not null default now()
  )`,
  `create table user_session (
    id text primary key,
    user_id uuid not null references app_user(id) on delete cascade,
    created_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    expires_at timestamptz not null
  )`,
  `create table api_token (
    id uuid primary key,
    user_id uuid not null references app_user(id) on delete cascade,
    name text not null,
    token_hash text not null unique,
    created_at timestamptz not null default now(),
    revoked_at timestamptz
  )`,
  `create table audit_event (
    seq bigint generated always as identity primary key,
    at timestamptz not null default now(),
    actor text not null,
    action text not null,
    entity text not null,
    entity_id text,
    patient_id uuid,
    detail jsonb not null default '{}',
    prev_hash text not null,
    hash text not null unique
  )`,
  `create index audit_event_patient_idx on audit_event (patient_id) where patient_id is not null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const tables = [
    'audit_event',
    'api_token',
    'user_session',
    'app_user',
    'grievance',
    'outreach',
    'referral',
    'match_proposal',
    'match_run',
    'appointment',
    'outside_provider',
    'enrollment',
    'attendance',
    'patient',
    'group_session',
    'disruption',
    'group_facilitator',
    'therapy_group',
    'clinician',
    'location',
    'service_area',
  ];
  for (const table of tables) await sql.raw(`drop table if exists ${table}`).execute(db);
}
