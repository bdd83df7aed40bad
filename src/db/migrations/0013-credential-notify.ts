import { sql, type Kysely } from 'kysely';

/*
 * A change to what a credential grants (a token revoked or deleted, a user's role, activity or
 * clinician changed, either table emptied) is announced on the `continuity_credentials` channel,
 * so that every server process forgets the tokens it has looked up (credential-cache.ts) however
 * the change was made: by any replica, the command line, or by hand. Columns that grant nothing
 * (a token's last use, a user's sign-in state) do not announce.
 */

export const credentialsChannel = 'continuity_credentials';

const statements = [
  `create function credentials_changed() returns trigger language plpgsql as $$
   begin
     perform pg_notify('${credentialsChannel}', current_schema());
     return null;
   end $$`,
  `create trigger api_token_credentials_changed
     after update of token_hash, user_id, revoked_at or delete or truncate on api_token
     for each statement execute function credentials_changed()`,
  `create trigger app_user_credentials_changed
     after update of role, active, clinician_id or delete or truncate on app_user
     for each statement execute function credentials_changed()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop trigger if exists app_user_credentials_changed on app_user').execute(db);
  await sql.raw('drop trigger if exists api_token_credentials_changed on api_token').execute(db);
  await sql.raw('drop function if exists credentials_changed()').execute(db);
}
