import { randomBytes } from 'node:crypto';
import type { Services } from '../context.ts';
import { roles, type Role } from '../modules/auth/policy.domain.ts';

export interface DemoSignIn {
  role: Role;
  email: string;
  password: string;
}

/**
 * One user per role for the demo, each with a fresh random password that is shown once. The
 * clinician user is a facilitator of a Woodland Hills postpartum group, so their own-groups view
 * has something in it.
 */
export async function createDemoUsers(services: Services): Promise<DemoSignIn[]> {
  const groups = await services.groups.list({ specialty: 'perinatal_mood_anxiety' }, { limit: 1 });
  const clinicianId = groups.items[0]?.facilitators[0]?.clinicianId ?? null;
  const signIns: DemoSignIn[] = [];
  for (const role of roles) {
    if (role === 'clinician' && !clinicianId) continue;
    const email = `${role}@demo.continuity.example`;
    const password = randomBytes(12).toString('base64url');
    await services.users.create({
      email,
      name: `Demo ${role}`,
      role,
      clinicianId: role === 'clinician' ? clinicianId : null,
      password,
    });
    signIns.push({ role, email, password });
  }
  return signIns;
}
