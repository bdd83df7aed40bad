import { sql, type Kysely } from 'kysely';
import { up as createPreviousAuditAppend } from './0012-audit-append.ts';

/*
 * A list's one audit event. A page of 50 patients was 50 events: 50 hashes in Node.js and 50 rows
 * into six indexes, which made a list several times dearer than the query that answered it. Now
 * a list is one event naming every record it showed (`entity_ids`) and, in the same order, the
 * patient each is about (`patient_ids`), as an R4 AuditEvent names many entities. Searches by
 * patient or by record find them through the two GIN indexes. `audit_append` takes each event's
 * two lists as a JSON array (or null), since a SQL array of arrays must be rectangular.
 */

const oldSignature = `audit_append(text, text, timestamptz[], text[], text[], text[], text[],
  uuid[], text[], text[], jsonb[], text[], text[])`;

const statements = [
  `alter table audit_event add column entity_ids text[], add column patient_ids uuid[]`,
  `create index audit_event_entity_ids_idx on audit_event using gin (entity_ids)`,
  `create index audit_event_patient_ids_idx on audit_event using gin (patient_ids)`,
  `drop function ${oldSignature}`,
  `create function audit_append(
     expected text, genesis text,
     p_at timestamptz[], p_actor text[], p_action text[], p_entity text[], p_entity_id text[],
     p_patient_id uuid[], p_entity_ids jsonb[], p_patient_ids jsonb[], p_ip text[],
     p_outcome text[], p_detail jsonb[], p_prev_hash text[], p_hash text[]
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
       (at, actor, action, entity, entity_id, patient_id, entity_ids, patient_ids, ip, outcome,
        detail, prev_hash, hash)
     select u.at, u.actor, u.action, u.entity, u.entity_id, u.patient_id,
            case when u.entity_ids is not null
              then array(select jsonb_array_elements_text(u.entity_ids)) end,
            case when u.patient_ids is not null
              then array(select jsonb_array_elements_text(u.patient_ids)::uuid) end,
            u.ip, u.outcome, u.detail, u.prev_hash, u.hash
       from unnest(p_at, p_actor, p_action, p_entity, p_entity_id, p_patient_id, p_entity_ids,
                   p_patient_ids, p_ip, p_outcome, p_detail, p_prev_hash, p_hash)
            with ordinality as u(at, actor, action, entity, entity_id, patient_id, entity_ids,
                                 patient_ids, ip, outcome, detail, prev_hash, hash, n)
      order by u.n;
     return null;
   end $$`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

// Undoing this drops the lists' ids, so from the first list event on the chain no longer verifies:
// for development only.
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `drop function audit_append(text, text, timestamptz[], text[], text[], text[], text[],
         uuid[], jsonb[], jsonb[], text[], text[], jsonb[], text[], text[])`,
    )
    .execute(db);
  await sql
    .raw('alter table audit_event drop column entity_ids, drop column patient_ids')
    .execute(db);
  await createPreviousAuditAppend(db);
}
