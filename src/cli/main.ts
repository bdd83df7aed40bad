import { Command, InvalidArgumentError, Option } from 'commander';
import { createContext, type Context } from '../context.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { startServer } from '../http/server.ts';
import { parseConfig, type Config } from '../shared/config.ts';
import { progressBar } from './progress.ts';

/*
 * The `continuity` command. It calls the same services as the HTTP routes, prints JSON with
 * --json, and on failure exits non-zero with a one-line reason.
 */

function integer(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0)
    throw new InvalidArgumentError('must be a whole number ≥ 0');
  return parsed;
}

async function withContext<T>(work: (context: Context) => Promise<T>): Promise<T> {
  const context = await createContext(loadConfig());
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}

function loadConfig(): Config {
  return parseConfig(process.env);
}

function print(json: boolean, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`);
}

type Scale = 'demo' | 'region';

async function seed(context: Context, options: { scale: Scale; seed: number; replace: boolean }) {
  const bar = progressBar(`Seeding ${options.scale}`);
  try {
    return await context.services.seed.seed({ ...options, onProgress: bar.update });
  } finally {
    bar.stop();
  }
}

export function buildCli(): Command {
  const program = new Command('continuity')
    .description('Keeps behavioral-health patients in care when their care is disrupted.')
    .showHelpAfterError();

  program
    .command('serve')
    .description('Apply migrations and serve the API and dashboard on HOST:PORT.')
    .option('--seed-demo', 'seed the demo region when the database is empty (first start)', false)
    .action(async (options: { seedDemo: boolean }) => {
      const config = loadConfig();
      const context = await createContext(config);
      await migrateToLatest(context.db);
      if (options.seedDemo && (await context.services.stats.counts()).service_area === 0) {
        process.stderr.write('First start: seeding the demo region.\n');
        await seed(context, { scale: 'demo', seed: 1, replace: false });
      }
      const { url } = await startServer(context);
      process.stdout.write(`Continuity is listening on ${url} (API docs at ${url}/docs)\n`);
    });

  program
    .command('migrate')
    .description('Apply every pending database migration.')
    .option('--json', 'print the result as JSON', false)
    .action(async (options: { json: boolean }) => {
      const report = await withContext((context) => migrateToLatest(context.db));
      print(
        options.json,
        report,
        report.applied.length
          ? `Applied ${report.applied.join(', ')}.`
          : 'The database is up to date.',
      );
    });

  program
    .command('seed')
    .description('Generate a synthetic region (deterministic for a seed) and load it.')
    .addOption(
      new Option('--scale <scale>', 'how large').choices(['demo', 'region']).default('demo'),
    )
    .option('--seed <n>', 'random seed: the same seed gives the same region', integer, 1)
    .option('--replace', 'delete the existing catalogue first', false)
    .option('--json', 'print the result as JSON', false)
    .action(async (options: { scale: Scale; seed: number; replace: boolean; json: boolean }) => {
      const result = await withContext(async (context) => {
        await migrateToLatest(context.db);
        return seed(context, options);
      });
      const total = Object.values(result.counts).reduce((sum, n) => sum + n, 0);
      print(
        options.json,
        result,
        `Seeded ${options.scale} (seed ${options.seed}): ${total.toLocaleString('en-US')} rows in ${(result.elapsedMs / 1000).toFixed(1)} s.`,
      );
    });

  program
    .command('stats')
    .description('Count the rows of each core entity.')
    .option('--json', 'print one JSON object', false)
    .action(async (options: { json: boolean }) => {
      const counts = await withContext(async (context) => {
        await migrateToLatest(context.db);
        return context.services.stats.counts();
      });
      const width = Math.max(...Object.keys(counts).map((key) => key.length));
      const text = Object.entries(counts)
        .map(([table, n]) => `${table.padEnd(width)}  ${n.toLocaleString('en-US').padStart(12)}`)
        .join('\n');
      print(options.json, counts, text);
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`continuity: ${reason.split('\n')[0] ?? 'failed'}\n`);
    process.exitCode = 1;
  }
}
