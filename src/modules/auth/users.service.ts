import type { ServiceDeps } from '../../context.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { normalizeEmail, passwordProblem } from './auth.domain.ts';
import {
  findTokenById,
  findUserById,
  insertToken,
  insertUser,
  listTokens,
  listUsers,
  revokeToken,
  type UserRow,
} from './auth.repository.ts';
import { hashPassword, newApiTokenSecret, secretHash } from './authenticator.service.ts';
import type { Role } from './policy.domain.ts';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  clinicianId: string | null;
  active: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  clinicianId?: string | null | undefined;
  password: string;
}

export interface ApiToken {
  id: string;
  userId: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as Role,
    clinicianId: row.clinician_id,
    active: row.active,
    lastLoginAt: row.last_login_at,
    createdAt: row.created_at,
  };
}

function toApiToken(row: Awaited<ReturnType<typeof listTokens>>[number]): ApiToken {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** Users and API tokens: the administrator's business (permission users:manage). */
export function createUserService({ db, clock, access, credentialsChanged }: ServiceDeps) {
  const manage = () => access.require('users:manage');
  return {
    /**
     * Creates a user with an argon2id password hash. Throws VALIDATION_FAILED (weak password, or a
     * clinician user without a clinician), DUPLICATE (email taken), UNKNOWN_REFERENCE (clinician).
     */
    async create(input: NewUser): Promise<User> {
      await manage();
      const problem = passwordProblem(input.password);
      if (problem) {
        throw new AppError('VALIDATION_FAILED', `Invalid body.password: ${problem}`, {
          issues: [{ field: 'body.password', problem }],
        });
      }
      if (input.role === 'clinician' && !input.clinicianId) {
        throw new AppError('VALIDATION_FAILED', 'A clinician user needs body.clinicianId.', {
          issues: [{ field: 'body.clinicianId', problem: 'required for the clinician role' }],
        });
      }
      const row = await db.transaction().execute(async (trx) => {
        const created = await insertUser(trx, {
          id: uuidv7(clock.now().getTime()),
          email: normalizeEmail(input.email),
          name: input.name,
          role: input.role,
          clinician_id: input.clinicianId ?? null,
          password_hash: await hashPassword(input.password),
        });
        await access.record(
          [
            {
              action: 'user.create',
              entity: 'app_user',
              entityId: created.id,
              detail: { role: input.role },
            },
          ],
          trx,
        );
        return created;
      });
      return toUser(row);
    },

    async list(): Promise<User[]> {
      await manage();
      return (await listUsers(db)).map(toUser);
    },

    /** Issues an API token for a user. The secret is returned once and stored only as a hash. */
    async createToken(userId: string, name: string): Promise<ApiToken & { token: string }> {
      await manage();
      const user = await findUserById(db, userId);
      if (!user)
        throw new AppError('UNKNOWN_REFERENCE', 'No user with that id.', {
          field: 'userId',
          id: userId,
        });
      const secret = newApiTokenSecret();
      const row = await db.transaction().execute(async (trx) => {
        const created = await insertToken(trx, {
          id: uuidv7(clock.now().getTime()),
          user_id: userId,
          name,
          token_hash: secretHash(secret),
        });
        await access.record(
          [
            {
              action: 'token.create',
              entity: 'api_token',
              entityId: created.id,
              detail: { userId },
            },
          ],
          trx,
        );
        return created;
      });
      return { ...toApiToken(row), token: secret };
    },

    async listTokens(): Promise<ApiToken[]> {
      await manage();
      return (await listTokens(db)).map(toApiToken);
    },

    /** Revokes a token at once. Throws NOT_FOUND; revoking twice is a no-op that returns the token. */
    async revokeToken(id: string): Promise<ApiToken> {
      await manage();
      const token = await db.transaction().execute(async (trx) => {
        const revoked = await revokeToken(trx, id, clock.now());
        const row = revoked ?? (await findTokenById(trx, id));
        if (!row) throw notFound('API token', id);
        if (revoked)
          await access.record([{ action: 'token.revoke', entity: 'api_token', entityId: id }], trx);
        return toApiToken(row);
      });
      // This process forgets the token before answering; the others, when the database tells them.
      credentialsChanged?.();
      return token;
    },

    /** The signed-in user. Throws UNAUTHENTICATED when nobody is (the CLI is nobody's account). */
    async me(): Promise<User> {
      const { userId } = access.actor;
      const row = userId ? await findUserById(db, userId) : undefined;
      if (!row) throw new AppError('UNAUTHENTICATED', 'Sign in first.');
      return toUser(row);
    },
  };
}
