import { addBackupCommands } from './backup-commands.ts';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createContext, type Context, type Services } from '../context.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { startServer } from '../http/server.ts';
import { cliActor, roles, type Role } from '../modules/auth/policy.domain.ts';
import { parseConfig } from '../shared/config.ts';
import { createDemoUsers } from './demo-users.ts';
import { progressBar } from './progress.ts';
import { readPassword } from './prompt.ts';
import { addDirectoryCommands } from './directory-commands.ts';
import { addFhirImportCommand } from './fhir-import-command.ts';
import { addExportCommands } from './export-commands.ts';
import { addRematchCommands } from './rematch-commands.ts';
import { addReportCommands } from './report-commands.ts';

/*
 * The `continuity` command. It calls the same services as the HTTP routes, as the operator
 * (`cli:<os user>`, an administrator), so every command is checked against the policy and audited.
 * It prints JSON with --json, and on failure exits non-zero with a one-line reason.
 */

function integer(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0) {
    throw new InvalidArgumentError('must be a whole number ≥ 0');
  }
  return parsed;
}

function operator() {
  return cliActor(userInfo().username);
}

/** Opens the configured database, brings it up to date, and runs `work` as the operator. */
async function withServices<T>(
  work: (services: Services, context: Context) => Promise<T>,
): Promise<T> {
  const context = await createContext(parseConfig(process.env));
  try {
    await migrateToLatest(context.db);
    return await work(context.servicesFor(operator()), context);
  } finally {
    await context.close();
  }
}

function print(json: boolean, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`);
}

type Scale = 'demo' | 'region';

async function seed(services: Services, options: { scale: Scale; seed: number; replace: boolean }) {
  const bar = progressBar(`Seeding ${options.scale}`);
  try {
    return await services.seed.seed({ ...options, onProgress: bar.update });
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
    .option(
      '--seed-demo',
      'on an empty embedded database: seed the demo region and create demo users',
      false,
    )
    .action(async (options: { seedDemo: boolean }) => {
      const context = await createContext(parseConfig(process.env));
      await migrateToLatest(context.db);
      const services = context.servicesFor(operator());
      if (options.seedDemo && (await services.stats.counts()).service_area === 0) {
        process.stderr.write('First start: seeding the demo region.\n');
        await seed(services, { scale: 'demo', seed: 1, replace: false });
        // Demo sign-ins only ever exist in the embedded database, never on a server database.
        if (context.engine === 'pglite' && (await services.users.list()).length === 0) {
          const signIns = await createDemoUsers(services);
          process.stdout.write(
            '\nDemo sign-ins (shown this once; create real users with `continuity user create`):\n',
          );
          for (const { role, email, password } of signIns) {
            process.stdout.write(`  ${role.padEnd(12)} ${email.padEnd(38)} ${password}\n`);
          }
          process.stdout.write('\n');
        }
      }
      const { url } = await startServer(context);
      process.stdout.write(`Continuity is listening on ${url} (API docs at ${url}/docs)\n`);
    });

  program
    .command('migrate')
    .description('Apply every pending database migration.')
    .option('--json', 'print the result as JSON', false)
    .action(async (options: { json: boolean }) => {
      const context = await createContext(parseConfig(process.env));
      try {
        const report = await migrateToLatest(context.db);
        const text = report.applied.length
          ? `Applied ${report.applied.join(', ')}.`
          : 'The database is up to date.';
        print(options.json, report, text);
      } finally {
        await context.close();
      }
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
      const result = await withServices((services) => seed(services, options));
      const total = Object.values(result.counts).reduce((sum, n) => sum + n, 0);
      const seconds = (result.elapsedMs / 1000).toFixed(1);
      print(
        options.json,
        result,
        `Seeded ${options.scale} (seed ${options.seed}): ${total.toLocaleString('en-US')} rows in ${seconds} s.`,
      );
    });

  program
    .command('stats')
    .description('Count the rows of each core entity.')
    .option('--json', 'print one JSON object', false)
    .action(async (options: { json: boolean }) => {
      const counts = await withServices((services) => services.stats.counts());
      const width = Math.max(...Object.keys(counts).map((key) => key.length));
      const text = Object.entries(counts)
        .map(([table, n]) => `${table.padEnd(width)}  ${n.toLocaleString('en-US').padStart(12)}`)
        .join('\n');
      print(options.json, counts, text);
    });

  const user = program.command('user').description('Manage users.');
  user
    .command('create')
    .description('Create a user; the password is asked for (or read from standard input).')
    .requiredOption('--email <email>', 'sign-in email')
    .addOption(new Option('--role <role>', 'what they may do').choices(roles).makeOptionMandatory())
    .option('--name <name>', 'display name (default: the email)')
    .option('--clinician-id <id>', 'for the clinician role: the clinician record they are')
    .option('--json', 'print the user as JSON', false)
    .action(
      async (options: {
        email: string;
        role: Role;
        name?: string;
        clinicianId?: string;
        json: boolean;
      }) => {
        const password = await readPassword(`Password for ${options.email}: `);
        const created = await withServices((services) =>
          services.users.create({
            email: options.email,
            name: options.name ?? options.email,
            role: options.role,
            clinicianId: options.clinicianId ?? null,
            password,
          }),
        );
        print(options.json, created, `Created ${created.role} ${created.email} (${created.id}).`);
      },
    );

  const audit = program.command('audit').description('The audit trail.');
  audit
    .command('verify')
    .description(
      'Check the hash chain of the whole audit trail; exit 1 naming the first broken event.',
    )
    .option('--json', 'print the result as JSON', false)
    .action(async (options: { json: boolean }) => {
      const result = await withServices((services) => services.audit.verify());
      const text = result.brokenAt
        ? `Audit chain BROKEN at event ${result.brokenAt.seq} (${result.brokenAt.reason} does not match); ${result.checked.toLocaleString('en-US')} events checked before it.`
        : `Audit chain intact: ${result.checked.toLocaleString('en-US')} events verified.`;
      print(options.json, result, text);
      if (result.brokenAt) process.exitCode = 1;
    });

  addRematchCommands(program, withServices, print);
  addReportCommands(program, withServices);
  addDirectoryCommands(program, withServices);
  addFhirImportCommand(program, withServices);
  addExportCommands(program, withServices);
  addBackupCommands(program, operator, print);
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

// Run as a file of its own (the compiled build: `node dist/cli/main.js …`); bin/continuity.js
// imports it instead.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  await main(process.argv);
