import type { Certification, Discipline, Specialty } from '../vocabulary/vocabulary.domain.ts';

export const clinicianStatuses = ['active', 'leave', 'inactive'] as const;
export type ClinicianStatus = (typeof clinicianStatuses)[number];

/** An in-network clinician, based at one location. */
export interface Clinician {
  id: string;
  /** National Provider Identifier: 10 digits, unique. */
  npi: string;
  name: string;
  discipline: Discipline;
  specialties: Specialty[];
  /** ISO 639 codes of the languages the clinician treats in. */
  languages: string[];
  certifications: Certification[];
  locationId: string;
  /** Full-time equivalent, in hundredths: 0 < fte ≤ 1. */
  fte: number;
  status: ClinicianStatus;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type NewClinician = Pick<
  Clinician,
  | 'npi'
  | 'name'
  | 'discipline'
  | 'specialties'
  | 'languages'
  | 'certifications'
  | 'locationId'
  | 'fte'
  | 'status'
>;
export type ClinicianPatch = Partial<NewClinician>;

/** Every given criterion must hold; array criteria mean "has this one among theirs". */
export interface ClinicianFilter {
  locationId?: string | undefined;
  /** Clinicians based at any location of this service area. */
  serviceAreaId?: string | undefined;
  specialty?: Specialty | undefined;
  language?: string | undefined;
  discipline?: Discipline | undefined;
  status?: ClinicianStatus | undefined;
  certification?: Certification | undefined;
}
