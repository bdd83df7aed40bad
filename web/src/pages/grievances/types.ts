/** The grievance as the API answers it (src/modules/grievances/grievances.routes.ts). */

export const grievanceStatuses = ['received', 'acknowledged', 'resolved', 'withdrawn'] as const;
export type GrievanceStatus = (typeof grievanceStatuses)[number];
export const pendingWith = ['plan', 'medical_group', 'provider', 'regulator'] as const;

export interface Grievance {
  id: string;
  patientId: string;
  receivedAt: string;
  channel: string;
  type: string;
  lineOfBusiness: string;
  expedited: boolean;
  disruptionId: string | null;
  summary: string;
  notes: string | null;
  status: GrievanceStatus;
  pendingWith: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  withdrawnAt: string | null;
  resolution: string | null;
  regulatorNoticeAt: string | null;
  dispositionSentAt: string | null;
  receivedBy: string;
  version: number;
  deadlines: {
    acknowledgeBefore: string;
    resolveBefore: string;
    dispositionBefore: string | null;
  };
}

export interface DueGrievance extends Grievance {
  nextDuty: 'disposition' | 'acknowledge' | 'resolve';
  dueBefore: string;
  overdue: boolean;
}

export interface Rate {
  numerator: number;
  denominator: number;
  value: number | null;
  unit: string;
  definition: string;
}

/** The next duty of an open grievance and its deadline, as the server's due list reckons it. */
export function nextDuty(g: Grievance): { duty: string; before: string } | null {
  if (g.status === 'resolved' || g.status === 'withdrawn') return null;
  if (g.deadlines.dispositionBefore && !g.dispositionSentAt)
    return { duty: 'Send the disposition', before: g.deadlines.dispositionBefore };
  if (g.status === 'received')
    return { duty: 'Acknowledge', before: g.deadlines.acknowledgeBefore };
  return { duty: 'Resolve', before: g.deadlines.resolveBefore };
}
