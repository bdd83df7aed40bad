import cliProgress from 'cli-progress';

export interface SeedProgress {
  table: string;
  done: number;
  total: number;
}

/**
 * A progress bar on stderr for long work. On a terminal it redraws in place; elsewhere (CI, a
 * log file) it prints a line at most every few seconds, so logs stay readable.
 */
export function progressBar(label: string): {
  update: (progress: SeedProgress) => void;
  stop: () => void;
} {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} rows | {table}`,
      stream: process.stderr,
      noTTYOutput: !process.stderr.isTTY,
      notTTYSchedule: 5000,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: ({ table, done, total }) => {
      if (!started) {
        bar.start(total, done, { table });
        started = true;
      }
      bar.setTotal(total);
      bar.update(done, { table });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
