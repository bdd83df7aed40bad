import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerTask } from '../test/worker-tasks.ts';
import { AppError } from './errors.ts';
import { createWorkerThread, WorkerCrashError, type WorkerThread } from './worker-thread.ts';

const tasks = new URL('../test/worker-tasks.ts', import.meta.url);
let opened: WorkerThread<WorkerTask, unknown>[] = [];

function open(resourceLimits?: { maxOldGenerationSizeMb: number }) {
  const thread = createWorkerThread<WorkerTask, unknown>(tasks, 'test', { resourceLimits });
  opened.push(thread);
  return thread;
}

afterEach(async () => {
  await Promise.all(opened.map((thread) => thread.close()));
  opened = [];
});

describe('a worker thread', () => {
  it('answers with plain data, Dates and Maps as they were', async () => {
    const value = {
      at: new Date('2025-03-03T17:00:00.000Z'),
      byId: new Map([['a', new Set(['b'])]]),
    };
    expect(await open().run({ do: 'echo', value })).toEqual({ value, threadId: 'worker' });
  });

  it('gives back an AppError as the same AppError, code and details kept', async () => {
    const failed = await open()
      .run({ do: 'app-error' })
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(AppError);
    expect(failed).toMatchObject({
      code: 'INVALID_TRANSITION',
      status: 409,
      details: { id: 'd-1' },
    });
  });

  it('gives back any other error as an Error with its name and message, not an AppError', async () => {
    const failed = await open()
      .run({ do: 'error' })
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(Error);
    expect(failed).not.toBeInstanceOf(AppError);
    expect(failed).toMatchObject({ name: 'RangeError', message: 'the solver lost its way' });
  });

  it('fails a task whose answer cannot cross threads, and goes on', async () => {
    const thread = open();
    await expect(thread.run({ do: 'uncloneable' })).rejects.toThrow(/could not be cloned/);
    expect(await thread.run({ do: 'echo', value: 1 })).toEqual({ value: 1, threadId: 'worker' });
  });

  it('fails only the task running when the worker dies, and runs the queued ones in a new worker', async () => {
    const thread = open();
    const crashed = thread.run({ do: 'exit' }).catch((error: unknown) => error);
    const queued = thread.run({ do: 'echo', value: 'after' });
    const error = await crashed;
    expect(error).toBeInstanceOf(WorkerCrashError);
    expect(error).toMatchObject({ outOfMemory: false });
    expect(await queued).toEqual({ value: 'after', threadId: 'worker' });
  });

  it('says when the worker ran out of memory, and the next task gets a new worker', async () => {
    const thread = open({ maxOldGenerationSizeMb: 64 });
    const error = await thread.run({ do: 'out-of-memory' }).catch((failed: unknown) => failed);
    expect(error).toBeInstanceOf(WorkerCrashError);
    expect(error).toMatchObject({ outOfMemory: true });
    expect(await thread.run({ do: 'echo', value: 2 })).toEqual({ value: 2, threadId: 'worker' });
  });

  it('fails what is unanswered when closed, and refuses new tasks', async () => {
    const thread = open();
    const pending = thread.run({ do: 'echo', value: 3 }).catch((error: unknown) => error);
    await thread.close();
    expect(await pending).toMatchObject({ message: 'the test worker was closed' });
    await expect(thread.run({ do: 'echo', value: 4 })).rejects.toThrow(/closed/);
  });
});
