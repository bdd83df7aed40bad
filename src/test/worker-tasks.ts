import { AppError } from '../shared/errors.ts';
import { serveTasks } from '../shared/worker-thread.ts';

// A worker for src/shared/worker-thread.test.ts: each task asks for one way to answer or to fail.

export type WorkerTask =
  | { do: 'echo'; value: unknown }
  | { do: 'app-error' }
  | { do: 'error' }
  | { do: 'exit' }
  | { do: 'out-of-memory' }
  | { do: 'uncloneable' };

serveTasks((task: WorkerTask) => {
  switch (task.do) {
    case 'echo':
      return { value: task.value, threadId: 'worker' };
    case 'app-error':
      throw new AppError('INVALID_TRANSITION', 'An ended disruption is not re-matched.', {
        id: 'd-1',
      });
    case 'error':
      throw new RangeError('the solver lost its way');
    case 'exit':
      // Ends this worker thread only (process.exit in a worker stops the thread).
      process.exit(3);
      break;
    case 'out-of-memory': {
      const hoard: number[][] = [];
      for (;;) hoard.push(Array.from({ length: 100_000 }, (_, i) => i));
    }
    case 'uncloneable':
      return { answer: () => 42 };
  }
});
