import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { AuditEventInput } from './audit.domain.ts';
import { appendAuditEvents, lastAuditHash, tryAppendAuditEvents } from './audit.repository.ts';

/**
 * Appends audit events that stand alone (reads, refusals: no change of data to commit them
 * with), for a whole process. Concurrent requests' events are gathered and appended in one
 * statement (group commit) instead of one transaction a request, which under load served audited
 * requests one at a time. A caller's promise settles when its own events are committed, so no
 * data is answered before its access is on record. Events recorded with a change go through
 * `appendAuditEvents` in the change's transaction.
 */
export interface AuditWriter {
  append(events: readonly AuditEventInput[]): Promise<void>;
}

interface Waiting {
  events: readonly AuditEventInput[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function createAuditWriter(db: Kysely<Database>): AuditWriter {
  let queue: Waiting[] = [];
  let flushing = false;
  // The chain's last hash as this process last wrote or saw it: right unless another process
  // (or a change's transaction) appended since, which the database tells, with the real one.
  let last: string | null = null;

  // Outside a transaction: the chain's lock is held for the one statement that appends.
  const write = async (events: readonly AuditEventInput[]) => {
    last ??= await lastAuditHash(db);
    for (let attempt = 0; attempt < 3; attempt++) {
      const result = await tryAppendAuditEvents(db, last, events);
      last = result.last;
      if (result.appended) return;
    }
    // Other writers keep appending first: wait for the lock inside a transaction, where the
    // second attempt cannot miss.
    last = null;
    await db.transaction().execute((trx) => appendAuditEvents(trx, events));
  };

  async function flush(): Promise<void> {
    flushing = true;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        await write(batch.flatMap((w) => w.events));
        for (const w of batch) w.resolve();
      } catch {
        // One caller's events must not fail the others': write each alone, and let each
        // caller see its own outcome.
        for (const w of batch)
          await write(w.events).then(w.resolve, (error: unknown) => {
            w.reject(error);
          });
      }
    }
    flushing = false;
  }

  return {
    append(events) {
      if (events.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        queue.push({ events, resolve, reject });
        if (!flushing) void flush();
      });
    },
  };
}
