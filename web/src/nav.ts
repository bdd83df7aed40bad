/** The pages, and the permission each needs: a role sees only the pages its permissions open. */
export const pages = [
  { path: '/', label: 'Overview', permission: 'aggregates:read' },
  { path: '/disruptions', label: 'Disruptions', permission: 'disruptions:read' },
  { path: '/rematch', label: 'Re-match review', permission: 'rematch:read' },
  { path: '/care-gaps', label: 'Care gaps', permission: 'patients:read' },
  { path: '/referrals', label: 'Referrals', permission: 'patients:read' },
  { path: '/timely-access', label: 'Timely access', permission: 'compliance:read' },
  { path: '/grievances', label: 'Grievances', permission: 'grievances:read' },
  { path: '/groups', label: 'Groups and clinicians', permission: 'catalogue:read' },
] as const;

export type PagePath = (typeof pages)[number]['path'];
