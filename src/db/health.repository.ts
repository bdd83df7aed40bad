import { sql } from 'kysely';
import type { Db } from './database.ts';

/** True when the database answers a trivial query within a second. */
export async function pingDatabase(db: Db): Promise<boolean> {
  const timeout = new Promise<false>((resolve) => {
    setTimeout(() => {
      resolve(false);
    }, 1000).unref();
  });
  const ping = sql`select 1`.execute(db).then(
    () => true,
    () => false,
  );
  return Promise.race([ping, timeout]);
}
