import { parentPort, Worker, type ResourceLimits } from 'node:worker_threads';
import { AppError, errorCatalogue, type ErrorCode } from './errors.ts';

/*
 * Long CPU work off the event loop (DESIGN.md: "Long jobs … run in worker threads"): one
 * long-lived worker thread per job kind, started on first use, running one task at a time in the
 * order asked. Inputs and outputs cross by structured clone (plain data, Maps, Sets, Dates; no
 * functions or class instances). An AppError thrown in the worker comes back as the same AppError;
 * any other error comes back as an Error with its message. A worker that dies (out of memory, a
 * crash) fails only the task it was running, with a WorkerCrashError, and the next task starts a
 * new one. The thread never keeps the process alive while idle; close() ends it.
 *
 * Written here rather than taken from piscina: a pool of one on a 2-core machine needs none of
 * its scheduling, and piscina would still need the tsx entry and the AppError round trip below.
 */

/** The worker died while running the task (its error is the cause). */
export class WorkerCrashError extends Error {
  /** The worker ran out of heap: the task was too large, not the code wrong. */
  readonly outOfMemory: boolean;

  constructor(message: string, outOfMemory: boolean, cause: unknown) {
    super(message, { cause });
    this.name = 'WorkerCrashError';
    this.outOfMemory = outOfMemory;
  }
}

type SerializedError =
  | { kind: 'app'; code: ErrorCode; message: string; details: unknown }
  | { kind: 'error'; name: string; message: string; stack: string | undefined };

type Reply =
  { id: number; ok: true; output: unknown } | { id: number; ok: false; error: SerializedError };

function serializeError(error: unknown): SerializedError {
  if (error instanceof AppError)
    return { kind: 'app', code: error.code, message: error.message, details: error.details };
  if (error instanceof Error)
    return { kind: 'error', name: error.name, message: error.message, stack: error.stack };
  return { kind: 'error', name: 'Error', message: String(error), stack: undefined };
}

function deserializeError(error: SerializedError): Error {
  if (error.kind === 'app' && error.code in errorCatalogue)
    return new AppError(error.code, error.message, error.details as AppError['details']);
  const made = new Error(error.message);
  if (error.kind === 'error') {
    made.name = error.name;
    if (error.stack !== undefined) made.stack = error.stack;
  }
  return made;
}

/**
 * The worker's side: answers each task the parent sends with `handle(input)`. Call it once, at the
 * top level of the module a WorkerThread runs.
 */
export function serveTasks(handle: (input: never) => unknown): void {
  const port = parentPort;
  if (port === null) throw new Error('serveTasks runs in a worker thread');
  port.on('message', (message: { id: number; input: never }) => {
    const { id } = message;
    void (async () => {
      let reply: Reply;
      try {
        reply = { id, ok: true, output: await handle(message.input) };
      } catch (error) {
        reply = { id, ok: false, error: serializeError(error) };
      }
      try {
        port.postMessage(reply);
      } catch (error) {
        // The output could not be cloned (a function or class instance in it): a bug, said so.
        port.postMessage({ id, ok: false, error: serializeError(error) } satisfies Reply);
      }
    })();
  });
}

export interface WorkerThread<I, O> {
  /** Runs one task in the worker; tasks queue behind the one running. */
  run(input: I): Promise<O>;
  /** Ends the worker; tasks not yet answered fail. Idempotent. */
  close(): Promise<void>;
}

interface Task {
  id: number;
  input: unknown;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
}

const entry = new URL('./worker-entry.js', import.meta.url);

/**
 * A worker thread running `module` (a file URL of a module that calls `serveTasks`). TypeScript
 * modules are loaded through tsx (see worker-entry.js), so this works under the CLI, the server,
 * `tsx` scripts and vitest alike, and in the compiled build (`dist/`, plain JavaScript). `resourceLimits` caps the worker's heap (tests use it).
 */
export function createWorkerThread<I, O>(
  module: URL,
  name: string,
  options: { resourceLimits?: ResourceLimits } = {},
): WorkerThread<I, O> {
  let worker: Worker | undefined;
  let running: Task | undefined;
  let lastError: unknown;
  let closed = false;
  let nextId = 1;
  const queue: Task[] = [];

  function start(): Worker {
    // Compiled JavaScript (`npm run build`) needs no loader: the module is the worker's entry.
    const made = new Worker(module.pathname.endsWith('.ts') ? entry : module, {
      name,
      workerData: { module: module.href },
      ...(options.resourceLimits && { resourceLimits: options.resourceLimits }),
    });
    made.unref();
    made.on('message', (reply: Reply) => {
      const task = running;
      if (task?.id !== reply.id) return;
      running = undefined;
      made.unref();
      if (reply.ok) task.resolve(reply.output);
      else task.reject(deserializeError(reply.error));
      pump();
    });
    made.on('messageerror', (error) => {
      const task = running;
      running = undefined;
      made.unref();
      task?.reject(new Error('the worker’s answer could not be read', { cause: error }));
      pump();
    });
    made.on('error', (error) => {
      lastError = error;
    });
    made.on('exit', (code) => {
      if (worker === made) worker = undefined;
      const task = running;
      running = undefined;
      const cause = lastError;
      lastError = undefined;
      if (task) {
        const outOfMemory =
          cause instanceof Error &&
          (cause as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY';
        task.reject(
          new WorkerCrashError(
            `the ${name} worker stopped (exit code ${code}) while running a task`,
            outOfMemory,
            cause,
          ),
        );
      }
      pump();
    });
    return made;
  }

  /** Hands the next queued task to the worker (starting one if none runs). */
  function pump(): void {
    if (closed || running !== undefined) return;
    const task = queue.shift();
    if (task === undefined) return;
    worker ??= start();
    running = task;
    // While a task runs the worker keeps the process alive, so a CLI awaiting it does not exit.
    worker.ref();
    try {
      worker.postMessage({ id: task.id, input: task.input });
    } catch (error) {
      // The input could not be cloned: a bug in the caller, failing this task only.
      running = undefined;
      worker.unref();
      task.reject(error instanceof Error ? error : new Error(String(error)));
      pump();
    }
  }

  return {
    run(input) {
      if (closed) return Promise.reject(new Error(`the ${name} worker is closed`));
      return new Promise<O>((resolve, reject) => {
        queue.push({ id: nextId++, input, resolve: resolve as (output: unknown) => void, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      const pending = [...(running ? [running] : []), ...queue.splice(0)];
      running = undefined;
      for (const task of pending) task.reject(new Error(`the ${name} worker was closed`));
      const current = worker;
      worker = undefined;
      if (current) await current.terminate();
    },
  };
}
