/*
 * Two figures that say how fast this machine is at what the load benchmark leans on, so that runs
 * on different machines can be compared: a bare Node.js HTTP server answering a fixed JSON body
 * (autocannon from this process, the server in a child process), and PostgreSQL answering
 * `select $1` round trips from 8 connections. Neither touches the project's code.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import autocannon from 'autocannon';
import pg from 'pg';

export interface MachineReference {
  /** Requests a second a bare node:http server answered. */
  bareHttpPerSecond: number;
  /** `select $1` round trips a second, 8 connections. */
  postgresRoundTripsPerSecond: number;
}

const bareServer = `
  const server = require('node:http').createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end('{"ok":true}');
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

async function bareHttp(seconds: number, connections: number): Promise<number> {
  const child = spawn(process.execPath, ['-e', bareServer], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
    const port = Number(chunk.toString('utf8').trim());
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/`,
      connections,
      duration: seconds,
    });
    return result.requests.total / seconds;
  } finally {
    child.kill();
  }
}

async function roundTrips(url: string, seconds: number, connections: number): Promise<number> {
  const clients = Array.from(
    { length: connections },
    () => new pg.Client({ connectionString: url }),
  );
  await Promise.all(clients.map((c) => c.connect()));
  try {
    const until = performance.now() + seconds * 1000;
    const counts = await Promise.all(
      clients.map(async (client) => {
        let count = 0;
        while (performance.now() < until) {
          await client.query('select $1::int as n', [count]);
          count += 1;
        }
        return count;
      }),
    );
    return counts.reduce((a, b) => a + b, 0) / seconds;
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

export async function machineReference(url: string, seconds = 3): Promise<MachineReference> {
  return {
    bareHttpPerSecond: Math.round(await bareHttp(seconds, 8)),
    postgresRoundTripsPerSecond: Math.round(await roundTrips(url, seconds, 8)),
  };
}
