/** The rules of signing in: password strength, lockout, session lifetimes. Pure. */

export const lockout = {
  /** Consecutive failures that lock an account. */
  maxFailures: 5,
  lockMinutes: 15,
  /** Failures from one address, over all accounts, in the window, before it is refused for a while. */
  maxAddressFailures: 20,
  addressWindowMinutes: 15,
} as const;

export const minPasswordLength = 12;

export function passwordProblem(password: string): string | null {
  if (password.length < minPasswordLength)
    return `must be at least ${minPasswordLength} characters`;
  if (password.length > 256) return 'must be at most 256 characters';
  if (new Set(password).size < 5) return 'must not repeat so few characters';
  return null;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface SessionTimes {
  lastSeenAt: Date;
  expiresAt: Date;
}

/** A session is live until it has been idle too long or reaches its absolute end. */
export function sessionExpired(session: SessionTimes, now: Date, idleMinutes: number): boolean {
  return (
    now >= session.expiresAt || now.getTime() - session.lastSeenAt.getTime() >= idleMinutes * 60_000
  );
}

/** Whether to write a new last-seen time: at most once a minute, so reads stay reads. */
export function shouldTouch(lastSeenAt: Date, now: Date): boolean {
  return now.getTime() - lastSeenAt.getTime() >= 60_000;
}

/** After a failed attempt: the new failure count, and a lock when it reaches the limit. */
export function afterFailure(
  failedLogins: number,
  now: Date,
): { failedLogins: number; lockedUntil: Date | null } {
  const failures = failedLogins + 1;
  if (failures >= lockout.maxFailures) {
    return { failedLogins: 0, lockedUntil: new Date(now.getTime() + lockout.lockMinutes * 60_000) };
  }
  return { failedLogins: failures, lockedUntil: null };
}

export const invalidCredentialsMessage =
  'The email or password is wrong, or the account is locked for a while after repeated failures.';
