/*
 * Sums for the load benchmark: latency percentiles per endpoint and per scenario from the
 * driver's samples, and CPU time of processes read from /proc (Linux), to say where the time
 * went: the server's Node.js process, PostgreSQL's backends, the load generator, or elsewhere.
 */
import { readFileSync } from 'node:fs';
import type { Sample } from './load-driver.ts';

export interface Summary {
  requests: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  /** Status codes other than 2xx and how often each came. */
  statuses: Record<string, number>;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function summarize(samples: readonly Sample[], seconds: number): Summary {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const s of samples)
    if (s.status < 200 || s.status > 299) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
  return {
    requests: samples.length,
    perSecond: samples.length / seconds,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    non2xx: Object.values(statuses).reduce((a, b) => a + b, 0),
    statuses,
  };
}

export function byEndpoint(samples: readonly Sample[]): Map<string, Sample[]> {
  const groups = new Map<string, Sample[]>();
  for (const s of samples) {
    const group = groups.get(s.endpoint);
    if (group) group.push(s);
    else groups.set(s.endpoint, [s]);
  }
  return new Map([...groups.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

const ticksPerSecond = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used, or 0 when it is gone. */
function cpuOf(pid: number | string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: split after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return 0;
  }
}

/** CPU seconds of the given processes, by pid. */
function cpuOfEach(pids: readonly number[]): Map<number, number> {
  return new Map(pids.map((pid) => [pid, cpuOf(pid)]));
}

/** Busy CPU seconds of the whole machine, all cores. */
function machineCpu(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / ticksPerSecond;
}

export interface CpuSplit {
  server: number;
  /** The PostgreSQL backends serving the server's connections. */
  postgres: number;
  machine: number;
}

/**
 * Starts counting; the returned function gives the CPU seconds used since, by whom. `backends`
 * lists the server's PostgreSQL backends (by application_name): a backend that was not there at
 * the start counts from zero.
 */
export async function cpuMeter(
  serverPid: number,
  backends: () => Promise<number[]>,
): Promise<() => Promise<CpuSplit>> {
  const server = cpuOf(serverPid);
  const before = cpuOfEach(await backends());
  const machine = machineCpu();
  return async () => {
    const after = cpuOfEach(await backends());
    let postgres = 0;
    for (const [pid, seconds] of after) postgres += seconds - (before.get(pid) ?? 0);
    return { server: cpuOf(serverPid) - server, postgres, machine: machineCpu() - machine };
  };
}
