// The entry of every WorkerThread (worker-thread.ts). A worker thread does not inherit the tsx
// loader the parent registered (bin/continuity.js, vitest's own transform), so this plain
// JavaScript module registers tsx in the worker before it imports the TypeScript module to run.
import { workerData } from 'node:worker_threads';

const { module } = workerData;
if (module.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(module);
