import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, ApiError, onSessionEnded, setCsrfToken } from './api.ts';

/*
 * Who is signed in, and what they may do: the permissions come from the server's one policy
 * table (GET /auth/me), so the dashboard offers each role only what the API would allow.
 */

export type Role = 'admin' | 'coordinator' | 'clinician' | 'compliance' | 'auditor';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  clinicianId: string | null;
}

interface Me {
  user: User;
  csrfToken: string | null;
  permissions: string[];
}

export interface Session {
  user: User;
  can: (permission: string) => boolean;
  signOut: () => Promise<void>;
}

type State =
  | { kind: 'loading' }
  | { kind: 'signed-out' }
  | { kind: 'expired' }
  | { kind: 'error'; error: ApiError }
  | { kind: 'signed-in'; session: Session };

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

/** The session's state: loading, signed out, expired, or signed in with the user's permissions. */
export function useSessionState(): {
  state: State;
  signIn: (email: string, password: string) => Promise<void>;
  clearExpired: () => void;
} {
  const client = useQueryClient();
  const [expired, setExpired] = useState(false);
  useEffect(
    () =>
      onSessionEnded(() => {
        setExpired(true);
      }),
    [],
  );
  const me = useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        const answer = await api<Me>('/auth/me');
        setCsrfToken(answer.csrfToken);
        return answer;
      } catch (error) {
        if (
          error instanceof ApiError &&
          (error.code === 'UNAUTHENTICATED' || error.code === 'SESSION_EXPIRED')
        )
          return null;
        throw error;
      }
    },
    retry: false,
    staleTime: Infinity,
  });

  /** Forgets every answer of the last session, then asks who is signed in now. */
  const restart = async () => {
    client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
    await client.refetchQueries({ queryKey: ['me'] });
  };

  const signOut = async () => {
    await api('/auth/logout', { method: 'POST' });
    setCsrfToken(null);
    await restart();
  };

  let state: State;
  if (expired) state = { kind: 'expired' };
  else if (me.isPending) state = { kind: 'loading' };
  else if (me.error)
    state = {
      kind: 'error',
      error: me.error instanceof ApiError ? me.error : new ApiError(0, 'UNKNOWN', String(me.error)),
    };
  else if (!me.data) state = { kind: 'signed-out' };
  else {
    const permissions = new Set(me.data.permissions);
    state = {
      kind: 'signed-in',
      session: { user: me.data.user, can: (p) => permissions.has(p), signOut },
    };
  }
  return {
    state,
    signIn: async (email, password) => {
      const answer = await api<{ csrfToken: string }>('/auth/login', {
        method: 'POST',
        body: { email, password },
      });
      setCsrfToken(answer.csrfToken);
      setExpired(false);
      await restart();
    },
    clearExpired: () => {
      setExpired(false);
      void restart();
    },
  };
}

export function SessionProvider({ session, children }: { session: Session; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
