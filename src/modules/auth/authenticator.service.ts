import { createHash, randomBytes } from 'node:crypto';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Config } from '../../shared/config.ts';
import { AppError } from '../../shared/errors.ts';
import {
  afterFailure,
  invalidCredentialsMessage,
  lockout,
  normalizeEmail,
  sessionExpired,
  shouldTouch,
} from './auth.domain.ts';
import {
  countAddressFailures,
  deleteSession,
  findSession,
  findToken,
  findUserByEmail,
  recordLoginAttempt,
  setLoginState,
  insertSession,
  touchSession,
  touchToken,
  type UserRow,
} from './auth.repository.ts';
import type { CredentialCache } from './credential-cache.ts';
import { anonymous, roles, type Actor, type Role } from './policy.domain.ts';

export const sessionCookie = 'continuity_session';
const tokenPrefix = 'cty_';

export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function newApiTokenSecret(): string {
  return `${tokenPrefix}${newSecret()}`;
}

export function hashPassword(password: string): Promise<string> {
  return argonHash(password); // argon2id with the library's current recommended costs
}

function asRole(role: string): Role {
  const found = roles.find((r) => r === role);
  if (!found) throw new Error(`Unknown role in the database: ${role}`);
  return found;
}

/** How a request says who it is: a session cookie, a bearer token, or neither. */
export interface Credentials {
  sessionId?: string | undefined;
  bearer?: string | undefined;
  ip: string;
}

export interface Authenticated {
  actor: Actor;
  /** For cookie sessions: the token unsafe requests must echo in x-csrf-token. */
  csrfToken: string | null;
}

export interface LoginResult {
  sessionId: string;
  csrfToken: string;
  expiresAt: Date;
  user: UserRow;
}

/** Spent on unknown emails too, so the time taken does not reveal whether an account exists. */
let dummyHash: Promise<string> | undefined;

/** A token as looked up, with its user's role and activity. */
export type TokenRow = NonNullable<Awaited<ReturnType<typeof findToken>>>;

/**
 * Sign-in and the identification of every request. Needs no actor: it is what makes one.
 */
export function createAuthenticator({
  db,
  clock,
  config,
  tokens,
}: {
  db: Kysely<Database>;
  clock: Clock;
  config: Config;
  /** Tokens looked up before, forgotten on any change to a credential (credential-cache.ts). */
  tokens?: CredentialCache<TokenRow> | undefined;
}) {
  const lookUpToken = async (tokenHash: string): Promise<TokenRow | undefined> => {
    const cached = tokens?.get(tokenHash);
    if (cached) return cached;
    const generation = tokens?.generation() ?? 0;
    const found = await findToken(db, tokenHash);
    if (found) tokens?.set(tokenHash, found, generation);
    return found;
  };

  const userActor = (
    kind: 'user' | 'token',
    label: string,
    row: { user_id: string; role: string; clinician_id: string | null },
    ip: string,
  ): Actor => ({
    kind,
    userId: row.user_id,
    role: asRole(row.role),
    clinicianId: row.clinician_id,
    label,
    ip,
  });

  return {
    /**
     * Checks an email and password and opens a session. Throws RATE_LIMITED when the address has
     * failed too often, and INVALID_CREDENTIALS (one message for every cause, so it never tells
     * whether the email exists) for a wrong password, an unknown or inactive account, or a lock.
     */
    async login(emailInput: string, password: string, ip: string): Promise<LoginResult> {
      const now = clock.now();
      const email = normalizeEmail(emailInput);
      const since = new Date(now.getTime() - lockout.addressWindowMinutes * 60_000);
      if ((await countAddressFailures(db, ip, since)) >= lockout.maxAddressFailures) {
        throw new AppError(
          'RATE_LIMITED',
          'Too many failed sign-ins from this address; try again later.',
        );
      }
      const user = await findUserByEmail(db, email);
      const locked = user?.locked_until != null && user.locked_until > now;
      const passwordHash =
        user?.active && user.password_hash
          ? user.password_hash
          : await (dummyHash ??= hashPassword('not a password, only a decoy'));
      const matches = await argonVerify(passwordHash, password).catch(() => false);
      if (!matches || !user?.active || !user.password_hash || locked) {
        await db.transaction().execute(async (trx) => {
          await recordLoginAttempt(trx, { at: now, email, ip, success: false });
          if (user && !locked)
            await setLoginState(trx, user.id, afterFailure(user.failed_logins, now));
        });
        throw new AppError('INVALID_CREDENTIALS', invalidCredentialsMessage);
      }
      const sessionId = newSecret();
      const csrfToken = newSecret();
      const expiresAt = new Date(now.getTime() + config.SESSION_MAX_HOURS * 3_600_000);
      await db.transaction().execute(async (trx) => {
        await recordLoginAttempt(trx, { at: now, email, ip, success: true });
        await setLoginState(trx, user.id, { failedLogins: 0, lockedUntil: null, lastLoginAt: now });
        await insertSession(trx, {
          id: secretHash(sessionId),
          user_id: user.id,
          created_at: now,
          last_seen_at: now,
          expires_at: expiresAt,
          csrf_token: csrfToken,
          ip,
        });
      });
      return {
        sessionId,
        csrfToken,
        expiresAt,
        user: { ...user, failed_logins: 0, locked_until: null, last_login_at: now },
      };
    },

    async logout(sessionId: string): Promise<void> {
      await deleteSession(db, secretHash(sessionId));
    },

    /**
     * Who is asking. A bearer token wins over a cookie. Throws UNAUTHENTICATED for an unknown or
     * revoked token and SESSION_EXPIRED for a session that is idle too long or past its lifetime
     * (and ends it); no credentials at all is the anonymous actor.
     */
    async authenticate(credentials: Credentials): Promise<Authenticated> {
      const now = clock.now();
      if (credentials.bearer !== undefined) {
        const tokenHash = secretHash(credentials.bearer);
        const token = credentials.bearer.startsWith(tokenPrefix)
          ? await lookUpToken(tokenHash)
          : undefined;
        if (!token || !token.active)
          throw new AppError('UNAUTHENTICATED', 'The API token is not valid.');
        if (!token.last_used_at || shouldTouch(token.last_used_at, now)) {
          const generation = tokens?.generation() ?? 0;
          await touchToken(db, token.id, now);
          tokens?.set(tokenHash, { ...token, last_used_at: now }, generation);
        }
        return {
          actor: userActor('token', `token:${token.id}`, token, credentials.ip),
          csrfToken: null,
        };
      }
      if (credentials.sessionId !== undefined) {
        const idHash = secretHash(credentials.sessionId);
        const session = await findSession(db, idHash);
        if (!session || !session.active)
          throw new AppError('SESSION_EXPIRED', 'Your session has ended; sign in again.');
        if (
          sessionExpired(
            { lastSeenAt: session.last_seen_at, expiresAt: session.expires_at },
            now,
            config.SESSION_IDLE_MINUTES,
          )
        ) {
          await deleteSession(db, idHash);
          throw new AppError('SESSION_EXPIRED', 'Your session has ended; sign in again.');
        }
        if (shouldTouch(session.last_seen_at, now)) await touchSession(db, idHash, now);
        return {
          actor: userActor('user', `user:${session.user_id}`, session, credentials.ip),
          csrfToken: session.csrf_token,
        };
      }
      return { actor: anonymous(credentials.ip), csrfToken: null };
    },
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
