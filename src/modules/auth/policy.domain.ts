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
  'audit:read': ['admin', 'compliance'],
  'users:manage': ['admin'],
  'data:seed': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof policy;

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

export function isAllowed(role: Role | null, permission: Permission): boolean {
  if (role === null) return false;
  return (policy[permission] as readonly Role[]).includes(role);
}
