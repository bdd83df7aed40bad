/** A row of GET /care-gaps: a patient in a course of treatment and their next deadline. */
export interface CareGap {
  patientId: string;
  serviceAreaId: string;
  specialty: string | null;
  tier: string;
  lastCareAt: string | null;
  daysWithoutCare: number | null;
  standard: string;
  deadline: string;
  nextCareAt: string | null;
  status: 'overdue' | 'at_risk' | 'on_track';
}

export const gapStatuses = ['overdue', 'at_risk', 'on_track'] as const;
