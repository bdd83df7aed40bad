/**
 * Who may do what: the one policy table. Services check it (so the HTTP routes and the CLI are
 * held to the same rules), and the route matrix test is generated from it.
 */

export const roles = ['admin', 'coordinator', 'clinician', 'compliance', 'auditor'] as const;
export type Role = (typeof roles)[number];

/**
 * Each permission and the roles that hold it. `admin` holds every permission.
 * Patient detail is for those who care for the patient; `compliance` reaches it later through a
 * grievance or a report drill-down, `auditor` never (aggregates only, de-identified).
 */
export const policy = {
  /** The catalogue that is not patient data: service areas, locations, clinicians, groups, outside providers. */
  'catalogue:read': ['admin', 'coordinator', 'clinician', 'compliance'],
  'catalogue:write': ['admin', 'coordinator'],
  /** Patient records. */
  'patients:read': ['admin', 'coordinator'],
  'patients:write': ['admin', 'coordinator'],
  /** Enrollments and rosters; a clinician sees only the rosters of groups they facilitate. */
  'enrollments:read': ['admin', 'coordinator', 'clinician'],
  'enrollments:write': ['admin', 'coordinator'],
  /** De-identified aggregates with small cells suppressed. */
  'aggregates:read': ['admin', 'coordinator', 'compliance', 'auditor'],
  /** Disruptions themselves (scope, dates, status): no patient data. */
  'disruptions:read': ['admin', 'coordinator', 'compliance'],
  /** Creating, simulating (which lists the displaced patients), applying and ending disruptions. */
  'disruptions:write': ['admin', 'coordinator'],
  /** Re-match plans name patients and where each goes: for those who place them. */
  'rematch:read': ['admin', 'coordinator'],
  'rematch:write': ['admin', 'coordinator'],
  /** The organization's specialty-equivalence overrides: a clinical governance decision. */
  'equivalence:write': ['admin'],
  /** The business-day calendar's closures. */
  'calendar:write': ['admin'],
  /** Timely-access and other compliance rates: aggregates, with no patient in them. */
  'compliance:read': ['admin', 'coordinator', 'compliance'],
  /** Grievances name a patient; compliance officers work them. */
  'grievances:read': ['admin', 'coordinator', 'compliance'],
  'grievances:write': ['admin', 'coordinator', 'compliance'],
  /** Workload: program managers see every clinician; a clinician sees only their own week. */
  'workload:read': ['admin', 'coordinator', 'clinician'],
  /**
   * The full edition of a disruption report, which names each displaced patient: for those who
   * answer to the regulator for them. Everyone with aggregates:read gets the de-identified one.
   */
  'reports:full': ['admin', 'coordinator', 'compliance'],
  'audit:read': ['admin', 'compliance'],
  'users:manage': ['admin'],
  'data:seed': ['admin'],
  /** FHIR import creates and updates patients and the catalogue in bulk: an integration's job. */
  'fhir:import': ['admin'],
  /** Bulk export hands out everything, patients included. */
  'fhir:export': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof policy;

/** Who may call a route: anyone, anyone signed in, or the holders of a permission. */
export type RouteAccess = Permission | 'public' | 'signed-in';

/**
 * Every API route and what it needs. The app refuses to start with a route missing here, checks
 * this before validating a request, and the route matrix test is generated from it. Services
 * check their permission again, so the CLI is held to the same table.
 */
export const routePolicy = {
  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/logout': 'public',
  'GET /api/v1/auth/me': 'signed-in',
  'GET /api/v1/users': 'users:manage',
  'POST /api/v1/users': 'users:manage',
  'GET /api/v1/tokens': 'users:manage',
  'POST /api/v1/tokens': 'users:manage',
  'DELETE /api/v1/tokens/:id': 'users:manage',
  'GET /api/v1/service-areas': 'catalogue:read',
  'GET /api/v1/service-areas/:id': 'catalogue:read',
  'POST /api/v1/service-areas': 'catalogue:write',
  'PATCH /api/v1/service-areas/:id': 'catalogue:write',
  'GET /api/v1/locations': 'catalogue:read',
  'GET /api/v1/locations/:id': 'catalogue:read',
  'POST /api/v1/locations': 'catalogue:write',
  'PATCH /api/v1/locations/:id': 'catalogue:write',
  'GET /api/v1/clinicians': 'catalogue:read',
  'GET /api/v1/clinicians/:id': 'catalogue:read',
  'POST /api/v1/clinicians': 'catalogue:write',
  'PATCH /api/v1/clinicians/:id': 'catalogue:write',
  'GET /api/v1/groups': 'catalogue:read',
  'GET /api/v1/groups/:id': 'catalogue:read',
  'POST /api/v1/groups': 'catalogue:write',
  'PATCH /api/v1/groups/:id': 'catalogue:write',
  'GET /api/v1/outside-providers': 'catalogue:read',
  'GET /api/v1/outside-providers/:id': 'catalogue:read',
  'POST /api/v1/outside-providers': 'catalogue:write',
  'PATCH /api/v1/outside-providers/:id': 'catalogue:write',
  'POST /api/v1/outside-providers/import': 'catalogue:write',
  'GET /api/v1/outside-providers/export': 'catalogue:read',
  'GET /api/v1/groups/:id/sessions': 'catalogue:read',
  'GET /api/v1/patients': 'patients:read',
  'GET /api/v1/patients/:id': 'patients:read',
  'POST /api/v1/patients': 'patients:write',
  'PATCH /api/v1/patients/:id': 'patients:write',
  'GET /api/v1/enrollments': 'enrollments:read',
  'GET /api/v1/enrollments/:id': 'enrollments:read',
  'POST /api/v1/enrollments': 'enrollments:write',
  'PATCH /api/v1/enrollments/:id': 'enrollments:write',
  'GET /api/v1/disruptions': 'disruptions:read',
  'GET /api/v1/disruptions/:id': 'disruptions:read',
  'POST /api/v1/disruptions': 'disruptions:write',
  'PATCH /api/v1/disruptions/:id': 'disruptions:write',
  'POST /api/v1/disruptions/:id/simulate': 'disruptions:write',
  'POST /api/v1/disruptions/:id/apply': 'disruptions:write',
  'POST /api/v1/disruptions/:id/end': 'disruptions:write',
  'POST /api/v1/disruptions/:id/rematch': 'rematch:write',
  'GET /api/v1/match-runs': 'rematch:read',
  'GET /api/v1/match-runs/:id': 'rematch:read',
  'GET /api/v1/match-runs/:id/proposals': 'rematch:read',
  'POST /api/v1/match-runs/:id/decisions': 'rematch:write',
  'POST /api/v1/match-runs/:id/commit': 'rematch:write',
  'GET /api/v1/match-proposals/:id': 'rematch:read',
  'GET /api/v1/equivalence': 'catalogue:read',
  'PUT /api/v1/equivalence/overrides': 'equivalence:write',
  'GET /api/v1/calendar': 'catalogue:read',
  'POST /api/v1/calendar/closures': 'calendar:write',
  'DELETE /api/v1/calendar/closures/:day': 'calendar:write',
  'GET /api/v1/compliance/timely-access': 'compliance:read',
  'GET /api/v1/care-gaps': 'patients:read',
  'GET /api/v1/patients/:id/clocks': 'patients:read',
  'PATCH /api/v1/match-proposals/:id': 'rematch:write',
  'GET /api/v1/audit': 'audit:read',
  'GET /api/v1/referrals': 'patients:read',
  'GET /api/v1/referrals/metrics': 'compliance:read',
  'POST /api/v1/grievances': 'grievances:write',
  'GET /api/v1/grievances': 'grievances:read',
  'GET /api/v1/grievances/due': 'grievances:read',
  'GET /api/v1/grievances/reports/quarterly': 'compliance:read',
  'GET /api/v1/reports/disruptions/:id': 'aggregates:read',
  'GET /api/v1/grievances/rates': 'compliance:read',
  'GET /api/v1/grievances/:id': 'grievances:read',
  'PATCH /api/v1/grievances/:id': 'grievances:write',
  'GET /api/v1/workload': 'workload:read',
  'GET /api/v1/referrals/:id': 'patients:read',
  'POST /api/v1/referrals/:id/transitions': 'patients:write',
  'GET /api/v1/patients/:id/outreach': 'patients:read',
  'POST /api/v1/patients/:id/outreach': 'patients:write',
  'GET /api/v1/aggregates/enrollment': 'aggregates:read',
  'GET /api/v1/aggregates/days-without-care': 'aggregates:read',
  // FHIR R4: each type needs its data's permission, checked by the FHIR service.
  'GET /fhir/R4/metadata': 'public',
  'GET /fhir/R4/:type': 'signed-in',
  'POST /fhir/R4/:type/_search': 'signed-in',
  'GET /fhir/R4/:type/:id': 'signed-in',
  'POST /fhir/R4': 'fhir:import',
  'GET /fhir/R4/$export': 'fhir:export',
  'GET /fhir/R4/Group/:id/$export': 'fhir:export',
  'GET /fhir/R4/$export-status/:id': 'fhir:export',
  'DELETE /fhir/R4/$export-status/:id': 'fhir:export',
  'GET /fhir/R4/$export-file/:id/:file': 'fhir:export',
} as const satisfies Record<string, RouteAccess>;

export function routeAccessOf(method: string, url: string): RouteAccess | undefined {
  const key = `${method === 'HEAD' ? 'GET' : method} ${url}`;
  return (routePolicy as Record<string, RouteAccess>)[key];
}

/** Whether an actor with this role may call a route that needs `access`. */
export function mayCall(role: Role | null, access: RouteAccess): boolean {
  if (access === 'public') return true;
  if (access === 'signed-in') return role !== null;
  return isAllowed(role, access);
}

/** Who is acting: a signed-in user, a machine client with a token, the operator's CLI, or nobody. */
export interface Actor {
  kind: 'user' | 'token' | 'cli' | 'anonymous';
  /** The app_user id, for users and tokens. */
  userId: string | null;
  role: Role | null;
  /** For clinicians: the clinician record they are. */
  clinicianId: string | null;
  /** How the audit log names them: `user:<id>`, `token:<id>`, `cli:<os user>`, `anonymous`. */
  label: string;
  /** Where the request came from. */
  ip: string | null;
}

export const anonymous = (ip: string | null): Actor => ({
  kind: 'anonymous',
  userId: null,
  role: null,
  clinicianId: null,
  label: 'anonymous',
  ip,
});

/**
 * The operator at the server's own command line. Whoever can run it can already read the database
 * files, so it acts as an administrator; every action is still checked against the policy and
 * audited under its own name.
 */
export const cliActor = (osUser: string): Actor => ({
  kind: 'cli',
  userId: null,
  role: 'admin',
  clinicianId: null,
  label: `cli:${osUser}`,
  ip: null,
});

/** Every permission a role holds: what the dashboard may offer its holder. */
export function permissionsOf(role: Role | null): Permission[] {
  return (Object.keys(policy) as Permission[]).filter((permission) => isAllowed(role, permission));
}

export function isAllowed(role: Role | null, permission: Permission): boolean {
  if (role === null) return false;
  return (policy[permission] as readonly Role[]).includes(role);
}
