import { sql, type Kysely } from 'kysely';

/*
 * Appending to the audit chain in one statement. The caller hashes the events in Node.js on the
 * chain's last hash as it believes it to be (`expected`); `audit_append` takes the chain's lock,
 * reads the last hash (a statement of its own, so it sees every append committed before the lock
 * was granted), and inserts the events only if the two agree; otherwise it inserts nothing and
 * returns the last hash, for the caller to hash again on. Outside a transaction the lock is held
 * for this one statement and its commit, not across round trips between Node.js and the
 * database: under load the chain was held, and every audited request waited, while the event
 * loop got round to sending the next statement. The lock's key is `lockInSchema`'s.
 */

const statements = [
  `create function audit_append(
     expected text, genesis text,
     p_at timestamptz[], p_actor text[], p_action text[], p_entity text[], p_entity_id text[],
     p_patient_id uuid[], p_ip text[], p_outcome text[], p_detail jsonb[], p_prev_hash text[],
     p_hash text[]
   ) returns text language plpgsql as $$
   declare
     last text;
   begin
     perform pg_advisory_xact_lock(7402113, hashtext(current_schema()));
     select coalesce((select a.hash from audit_event a order by a.seq desc limit 1), genesis)
       into last;
     if last <> expected then
       return last;
     end if;
     insert into audit_event
       (at, actor, action, entity, entity_id, patient_id, ip, outcome, detail, prev_hash, hash)
     select u.at, u.actor, u.action, u.entity, u.entity_id, u.patient_id, u.ip, u.outcome,
            u.detail, u.prev_hash, u.hash
       from unnest(p_at, p_actor, p_action, p_entity, p_entity_id, p_patient_id, p_ip, p_outcome,
                   p_detail, p_prev_hash, p_hash)
            with ordinality as u(at, actor, action, entity, entity_id, patient_id, ip, outcome,
                                 detail, prev_hash, hash, n)
      order by u.n;
     return null;
   end $$`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `drop function if exists audit_append(text, text, timestamptz[], text[], text[], text[],
         text[], uuid[], text[], text[], jsonb[], text[], text[])`,
    )
    .execute(db);
}
