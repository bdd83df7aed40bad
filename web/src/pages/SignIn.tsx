import { useState } from 'react';
import { ErrorMessage } from '../components/Status.tsx';

export function SignIn({
  onSignIn,
  expired = false,
}: {
  onSignIn: (email: string, password: string) => Promise<void>;
  expired?: boolean;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: { preventDefault(): void }) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSignIn(email, password);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="sign-in">
      <h1>Continuity</h1>
      {expired ? (
        <p role="status" className="notice">
          Your session has ended, so nothing more was shown or changed. Sign in again to go on.
        </p>
      ) : (
        <p className="muted">Keeps patients in care when their care is disrupted.</p>
      )}
      <form onSubmit={(e) => void submit(e)} aria-label="Sign in">
        <label>
          Email
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => {
              setEmail(e.target.value);
            }}
            autoFocus
          />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => {
              setPassword(e.target.value);
            }}
          />
        </label>
        {error ? <ErrorMessage error={error} /> : null}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
