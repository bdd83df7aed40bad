import { useEffect, useState } from 'react';

/** "Working… 3 s": an action in progress, announced politely, with the seconds it has taken. */
export function Progress({ what }: { what: string }) {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    const started = Date.now();
    const timer = window.setInterval(() => {
      setSeconds(Math.floor((Date.now() - started) / 1000));
    }, 500);
    return () => {
      window.clearInterval(timer);
    };
  }, []);
  return (
    <p className="notice progress" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {what}…
      {seconds > 0 ? <span className="muted"> {seconds} s</span> : null}
    </p>
  );
}
