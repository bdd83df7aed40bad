/*
 * The bulk export jobs a process runs: kept per database handle so that tests can await them and
 * shutdown can stop them. Job state itself lives in the bulk_export table, for every replica.
 */

/** The bulk export jobs this process runs, so that tests can await them and shutdown stop them. */
export interface ExportJobs {
  start(id: string, run: (signal: AbortSignal) => Promise<void>): void;
  /** Resolves when the job (or every job) running here has ended. */
  settled(id?: string): Promise<void>;
  /** Stops a job running here, and resolves when it has stopped. */
  abort(id: string): Promise<void>;
  /** Shutdown: stops every job and waits for them. */
  stopAll(): Promise<void>;
  /** Told of each job that fails, with the error (for the server log; never sent to a client). */
  onFailure: (id: string, error: unknown) => void;
}

function createExportJobs(): ExportJobs {
  const running = new Map<string, { done: Promise<void>; controller: AbortController }>();
  const jobs: ExportJobs = {
    onFailure: () => undefined,
    start(id, run) {
      const controller = new AbortController();
      const done = run(controller.signal)
        .catch((error: unknown) => {
          jobs.onFailure(id, error);
        })
        .finally(() => running.delete(id));
      running.set(id, { done, controller });
    },
    async settled(id) {
      if (id !== undefined) await running.get(id)?.done;
      else await Promise.all([...running.values()].map((job) => job.done));
    },
    async abort(id) {
      const job = running.get(id);
      job?.controller.abort();
      await job?.done;
    },
    async stopAll() {
      for (const job of running.values()) job.controller.abort();
      await jobs.settled();
    },
  };
  return jobs;
}

/*
 * One registry per database handle: services are built per request, the jobs outlive them. Keyed
 * by the handle (the context's), so two contexts in one process (tests) never share jobs.
 */
const registries = new WeakMap<object, ExportJobs>();

export function exportJobsOf(db: object): ExportJobs {
  let jobs = registries.get(db);
  if (!jobs) {
    jobs = createExportJobs();
    registries.set(db, jobs);
  }
  return jobs;
}
