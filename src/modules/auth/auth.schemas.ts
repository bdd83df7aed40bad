import { z } from 'zod';
import { instant } from '../../http/codecs.ts';
import { policy, roles, type Permission } from './policy.domain.ts';

export const loginBody = z.strictObject({
  email: z.string().trim().min(3).max(254),
  password: z.string().min(1).max(256),
});

export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(roles),
  clinicianId: z.uuid().nullable(),
  active: z.boolean(),
  lastLoginAt: instant.nullable(),
  createdAt: instant,
});

export const loginResponse = z.object({
  user: userSchema,
  csrfToken: z
    .string()
    .describe('Send it back in the x-csrf-token header on POST, PATCH and DELETE.'),
  expiresAt: instant,
});

export const meResponse = z.object({
  user: userSchema,
  csrfToken: z.string().nullable(),
  idleMinutes: z.number().int(),
  permissions: z
    .array(z.enum(Object.keys(policy) as [Permission, ...Permission[]]))
    .describe("The role's permissions, from the one policy table: what a client may offer."),
});

export const createUserBody = z.strictObject({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(200),
  role: z.enum(roles),
  clinicianId: z.uuid().nullable().optional(),
  password: z.string().max(256),
});

export const tokenSchema = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  name: z.string(),
  createdAt: instant,
  lastUsedAt: instant.nullable(),
  revokedAt: instant.nullable(),
});

export const createTokenBody = z.strictObject({
  userId: z.uuid(),
  name: z.string().trim().min(1).max(100),
});

export const createdTokenSchema = tokenSchema.extend({
  token: z
    .string()
    .describe('The secret, shown this once: send it as Authorization: Bearer <token>.'),
});
