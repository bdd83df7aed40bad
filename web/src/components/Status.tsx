import type { ReactNode } from 'react';
import { ApiError } from '../api.ts';

/* How a page says it is working, what went wrong (the API's own message), or that there is nothing. */

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function ErrorMessage({ error }: { error: unknown }) {
  const message = error instanceof ApiError ? error.message : 'Something went wrong. Try again.';
  const code = error instanceof ApiError ? error.code : null;
  return (
    <div className="error" role="alert">
      <strong>{message}</strong>
      {code ? <span className="muted"> ({code})</span> : null}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="muted">{children}</p>;
}

/** A figure with its numerator and denominator, never a bare percentage. */
export function Figure({
  label,
  numerator,
  denominator,
  definition,
}: {
  label: string;
  numerator: number;
  denominator?: number | null;
  definition?: string;
}) {
  const rate = denominator ? `${((numerator / denominator) * 100).toFixed(1)}%` : null;
  return (
    <div className="figure">
      <div className="figure-label">{label}</div>
      <div className="figure-value">{rate ?? numerator.toLocaleString('en-US')}</div>
      <div className="figure-detail">
        {denominator === undefined || denominator === null
          ? definition
          : `${numerator.toLocaleString('en-US')} of ${denominator.toLocaleString('en-US')}${definition ? ` · ${definition}` : ''}`}
      </div>
    </div>
  );
}
