import pg from 'pg';

/** What a listener is told: each notification, and whether it is listening now. */
export interface ListenCallbacks {
  notify: (payload: string) => void;
  /**
   * False when the listening connection is lost (a notification may be missed until it is back),
   * true once it listens (again). Called once with true when listening starts.
   */
  listening: (now: boolean) => void;
}

export interface Listener {
  close(): Promise<void>;
}

/**
 * Listens on `channel` over a connection of its own to a PostgreSQL server, and listens again
 * after the connection is lost (a restart, a terminated backend), one attempt a second, until
 * closed. `listening(false)` comes before any notification could be missed.
 */
export function listenOnServer(
  config: pg.ClientConfig,
  channel: string,
  callbacks: ListenCallbacks,
  retryMs = 1000,
): Listener {
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  const lost = (from: pg.Client) => {
    if (client !== from) return;
    client = undefined;
    callbacks.listening(false);
    void from.end().catch(() => undefined);
    if (!closed) retry = setTimeout(connect, retryMs);
  };

  function connect(): void {
    retry = undefined;
    if (closed) return;
    const next = new pg.Client(config);
    client = next;
    next.on('error', () => {
      lost(next);
    });
    next.on('end', () => {
      lost(next);
    });
    next.on('notification', (message) => {
      if (message.channel === channel) callbacks.notify(message.payload ?? '');
    });
    next
      .connect()
      .then(() => next.query(`listen ${pg.escapeIdentifier(channel)}`))
      .then(() => {
        if (client === next && !closed) callbacks.listening(true);
      })
      .catch(() => {
        lost(next);
      });
  }

  connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const last = client;
      client = undefined;
      if (last) {
        callbacks.listening(false);
        await last.end().catch(() => undefined);
      }
    },
  };
}
