/* The disruption API's shapes, as the dashboard reads them (src/modules/disruptions/*.schemas.ts). */

export const disruptionKinds = [
  'strike',
  'clinician_leave',
  'facility_closure',
  'group_cancellation',
] as const;
export type DisruptionKind = (typeof disruptionKinds)[number];
export type DisruptionStatus = 'draft' | 'active' | 'ended';

export const riskTiers = ['urgent', 'recent_discharge', 'high', 'perinatal', 'standard'] as const;
export type RiskTier = (typeof riskTiers)[number];

export interface Scope {
  clinicianIds: string[];
  locationIds: string[];
  groupIds: string[];
  serviceAreaIds: string[];
}

export interface Disruption {
  id: string;
  kind: DisruptionKind;
  title: string;
  scope: Scope;
  startsOn: string;
  endsOn: string | null;
  status: DisruptionStatus;
  appliedAt: string | null;
  endedAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface DisplacedPatient {
  patientId: string;
  mrn: string;
  name: string;
  serviceAreaId: string;
  tier: RiskTier;
  weight: number;
  need: string;
  lostGroupIds: string[];
  lastCareAt: string | null;
  daysWithoutCare: number | null;
  deadline: { standard: string; dueBefore: string };
  overdue: boolean;
}

export interface Impact {
  window: { from: string; until: string | null };
  displacedAt: string;
  sessions: {
    total: number;
    alreadyCancelled: number;
    toCancel: number;
    groups: {
      groupId: string;
      name: string;
      specialty: string;
      serviceAreaId: string;
      sessions: { id: string; startsAt: string; cancelled: boolean }[];
    }[];
  };
  patients: DisplacedPatient[];
  counts: {
    patients: number;
    byTier: Partial<Record<RiskTier, number>>;
    bySpecialty: { specialty: string; patients: number }[];
    byServiceArea: { serviceAreaId: string; code: string; name: string; patients: number }[];
  };
}

export interface Simulation {
  disruption: Disruption;
  impact: Impact;
}

/** `perinatal_mood_anxiety` → `perinatal mood anxiety`: the API's codes, readable. */
export function words(code: string): string {
  return code.replaceAll('_', ' ');
}

export function scopeSize(scope: Scope): number {
  return (
    scope.clinicianIds.length +
    scope.locationIds.length +
    scope.groupIds.length +
    scope.serviceAreaIds.length
  );
}

export function formatInstant(value: string | null): string {
  if (!value) return '—';
  return new Date(value).toLocaleString('en-US', {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}
