/**
 * The API tokens this process has looked up, so that a request does not ask the database who
 * its token belongs to every time (a third of a small read's round trips). It is right only while
 * the database can tell it what changed: it serves nothing unless it is `listening` for the
 * `continuity_credentials` notification (migration 0013), and forgets everything on each one, and
 * whenever listening stops. A lookup that began before a change cannot be cached after it. An
 * entry is kept a minute at most, and only tokens that exist are kept, so unknown tokens cannot
 * fill it.
 */
export interface CredentialCache<T> {
  /** The cached value, or undefined (always, while not listening). */
  get(key: string): T | undefined;
  /** The current generation, to be given back to `set` with what was looked up after it. */
  generation(): number;
  /** Keeps `value`, unless something changed since `generation` was read. */
  set(key: string, value: T, generation: number): void;
  /** Forgets everything (a credential changed). */
  clear: () => void;
  /** Whether the notifications can be trusted now; forgets everything either way. */
  listening: (now: boolean) => void;
}

export function createCredentialCache<T>({
  maxEntries = 10_000,
  maxAgeMs = 60_000,
  now = () => performance.now(),
}: { maxEntries?: number; maxAgeMs?: number; now?: () => number } = {}): CredentialCache<T> {
  const entries = new Map<string, { value: T; at: number }>();
  let live = false;
  let generation = 0;
  const clear = () => {
    generation += 1;
    entries.clear();
  };
  return {
    get(key) {
      if (!live) return undefined;
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (now() - entry.at > maxAgeMs) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    generation: () => generation,
    set(key, value, seen) {
      if (!live || seen !== generation) return;
      if (entries.size >= maxEntries && !entries.has(key)) entries.clear();
      entries.set(key, { value, at: entries.get(key)?.at ?? now() });
    },
    clear,
    listening(now) {
      live = now;
      clear();
    },
  };
}
