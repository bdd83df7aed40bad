import type { Db, NewRow, Row } from '../../db/database.ts';
import { withDbErrors } from '../../db/errors.ts';

export type UserRow = Row<'app_user'>;

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('app_user').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertUser(db: Db, user: NewRow<'app_user'>): Promise<UserRow> {
  return withDbErrors(() =>
    db.insertInto('app_user').values(user).returningAll().executeTakeFirstOrThrow(),
  );
}

export async function listUsers(db: Db): Promise<UserRow[]> {
  return db.selectFrom('app_user').selectAll().orderBy('email').execute();
}

export async function setLoginState(
  db: Db,
  userId: string,
  state: { failedLogins: number; lockedUntil: Date | null; lastLoginAt?: Date },
): Promise<void> {
  await db
    .updateTable('app_user')
    .set({
      failed_logins: state.failedLogins,
      locked_until: state.lockedUntil,
      ...(state.lastLoginAt ? { last_login_at: state.lastLoginAt } : {}),
    })
    .where('id', '=', userId)
    .execute();
}

export async function recordLoginAttempt(
  db: Db,
  attempt: { at: Date; email: string; ip: string; success: boolean },
): Promise<void> {
  await db.insertInto('login_attempt').values(attempt).execute();
}

export async function countAddressFailures(db: Db, ip: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('login_attempt')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('ip', '=', ip)
    .where('success', '=', false)
    .where('at', '>=', since)
    .executeTakeFirstOrThrow();
  return row.n;
}

export async function insertSession(db: Db, session: NewRow<'user_session'>): Promise<void> {
  await db.insertInto('user_session').values(session).execute();
}

/** A session with its user, by the hash of its id. */
export async function findSession(db: Db, idHash: string) {
  return db
    .selectFrom('user_session as s')
    .innerJoin('app_user as u', 'u.id', 's.user_id')
    .select([
      's.id',
      's.last_seen_at',
      's.expires_at',
      's.csrf_token',
      'u.id as user_id',
      'u.role',
      'u.clinician_id',
      'u.active',
    ])
    .where('s.id', '=', idHash)
    .executeTakeFirst();
}

export async function touchSession(db: Db, idHash: string, at: Date): Promise<void> {
  await db.updateTable('user_session').set({ last_seen_at: at }).where('id', '=', idHash).execute();
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('user_session').where('id', '=', idHash).execute();
}

export async function deleteUserSessions(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('user_session').where('user_id', '=', userId).execute();
}

export async function insertToken(db: Db, token: NewRow<'api_token'>): Promise<Row<'api_token'>> {
  return withDbErrors(() =>
    db.insertInto('api_token').values(token).returningAll().executeTakeFirstOrThrow(),
  );
}

/** A live token with its user, by the hash of its secret. */
export async function findToken(db: Db, tokenHash: string) {
  return db
    .selectFrom('api_token as t')
    .innerJoin('app_user as u', 'u.id', 't.user_id')
    .select(['t.id', 't.last_used_at', 'u.id as user_id', 'u.role', 'u.clinician_id', 'u.active'])
    .where('t.token_hash', '=', tokenHash)
    .where('t.revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function touchToken(db: Db, id: string, at: Date): Promise<void> {
  await db.updateTable('api_token').set({ last_used_at: at }).where('id', '=', id).execute();
}

export async function listTokens(db: Db): Promise<Row<'api_token'>[]> {
  return db.selectFrom('api_token').selectAll().orderBy('created_at').execute();
}

export async function revokeToken(
  db: Db,
  id: string,
  at: Date,
): Promise<Row<'api_token'> | undefined> {
  return db
    .updateTable('api_token')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

export async function findTokenById(db: Db, id: string): Promise<Row<'api_token'> | undefined> {
  return db.selectFrom('api_token').selectAll().where('id', '=', id).executeTakeFirst();
}
