/*
 * Re-matching solver benchmark: builds (or reads) an instance, solves it, checks the answer against
 * its own integer duals, and, when g++ and LEMON are installed, solves the same instance with
 * LEMON's NetworkSimplex and CostScaling (bench/lemon-mcf.cpp) for a side-by-side figure.
 *
 *   npm run bench:rematch -- --patients 20000 --candidates 100 [--seed 1] [--tightness 1.0]
 *                            [--shape geo|random] [--instance FILE] [--write-instance FILE]
 *                            [--reference auto|off] [--json]
 *
 * `seconds` is the solve alone (building the instance, writing files and the checks are not
 * timed); `referenceSeconds` is the faster of LEMON's two solvers, timed by the driver itself
 * from building its solver object to the end of `run()`; `ratio` = seconds / referenceSeconds.
 * The objectives must agree: the process exits 1 when they do not, or when the self-check fails.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readDimacs, writeDimacs } from '../src/modules/matching/dimacs.domain.ts';
import { solveMatching } from '../src/modules/matching/solver.domain.ts';
import { verifyOptimality } from '../src/modules/matching/solver-verify.domain.ts';
import { generateInstance, type Shape } from './rematch-instance.ts';

const { values } = parseArgs({
  options: {
    patients: { type: 'string', default: '20000' },
    candidates: { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    tightness: { type: 'string', default: '1.0' },
    shape: { type: 'string', default: 'geo' },
    instance: { type: 'string' },
    'write-instance': { type: 'string' },
    reference: { type: 'string', default: 'auto' },
    json: { type: 'boolean', default: false },
  },
});

const fail = (message: string): never => {
  process.stderr.write(`bench:rematch: ${message}\n`);
  process.exit(1);
};

const isShape = (value: string): value is Shape => value === 'geo' || value === 'random';
const shape = isShape(values.shape) ? values.shape : fail(`unknown shape ${values.shape}`);
const parameters = {
  patients: Number(values.patients),
  candidates: Number(values.candidates),
  seed: Number(values.seed),
  tightness: Number(values.tightness),
  shape,
};

const started = performance.now();
const instance =
  values.instance === undefined
    ? generateInstance(parameters)
    : readDimacs(readFileSync(values.instance, 'utf8'));
const buildSeconds = (performance.now() - started) / 1000;
const description =
  values.instance === undefined
    ? `rematch ${shape} patients=${parameters.patients} candidates=${parameters.candidates} seed=${parameters.seed} tightness=${parameters.tightness}`
    : `rematch instance ${values.instance}`;
let dimacsText: string | undefined;
const dimacs = () => (dimacsText ??= writeDimacs(instance, [description]));
if (values['write-instance'] !== undefined) writeFileSync(values['write-instance'], dimacs());

const solveStarted = performance.now();
const solution = solveMatching(instance);
const seconds = (performance.now() - solveStarted) / 1000;
const verifyStarted = performance.now();
const check = verifyOptimality(instance, solution);
const verifySeconds = (performance.now() - verifyStarted) / 1000;

const patients = instance.unmatchedCost.length;
let unmatched = 0;
for (const option of solution.assignment) if (option < 0) unmatched++;
const seats = instance.optionCapacity.reduce((sum, cap) => sum + cap, 0);
const result: Record<string, unknown> = {
  shape: values.instance === undefined ? shape : 'file',
  patients,
  options: instance.optionCapacity.length,
  edges: instance.edgeOption.length,
  seats,
  tightness: patients === 0 ? null : Number((seats / patients).toFixed(3)),
  seconds: Number(seconds.toFixed(4)),
  objective: solution.objective,
  optimal: check.ok,
  unmatched,
  verifySeconds: Number(verifySeconds.toFixed(4)),
  buildSeconds: Number(buildSeconds.toFixed(3)),
  stats: solution.stats,
};

interface LemonRun {
  readonly objective?: number;
  readonly seconds: number;
  readonly status?: number;
}
interface LemonResult {
  readonly networkSimplex: LemonRun;
  readonly costScaling: LemonRun;
}

/** Compiles bench/lemon-mcf.cpp once per source version into the temp folder; undefined if it cannot. */
function lemonDriver(): string | undefined {
  if (!existsSync('/usr/bin/g++') || !existsSync('/usr/include/lemon/network_simplex.h')) {
    return undefined;
  }
  const source = join(dirname(fileURLToPath(import.meta.url)), 'lemon-mcf.cpp');
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12);
  const folder = join(tmpdir(), `continuity-lemon-${hash}`);
  const binary = join(folder, 'lemon-mcf');
  if (!existsSync(binary)) {
    mkdirSync(folder, { recursive: true });
    const building = `${binary}.${process.pid}`;
    execFileSync('/usr/bin/g++', ['-O3', '-DNDEBUG', '-march=native', '-o', building, source], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    execFileSync('mv', [building, binary]);
  }
  return binary;
}

if (values.reference !== 'off') {
  const driver = lemonDriver();
  if (driver !== undefined) {
    const folder = mkdtempSync(join(tmpdir(), 'rematch-'));
    try {
      const file = values.instance ?? join(folder, 'instance.dimacs');
      if (values.instance === undefined) writeFileSync(file, dimacs());
      const output = execFileSync(driver, [file], { encoding: 'utf8', maxBuffer: 1 << 20 });
      const lemon = JSON.parse(output) as LemonResult;
      const runs = [lemon.networkSimplex, lemon.costScaling];
      const best = Math.min(...runs.map((run) => run.seconds));
      result.referenceSeconds = Number(best.toFixed(4));
      result.referenceObjective = lemon.networkSimplex.objective ?? null;
      result.ratio = Number((seconds / best).toFixed(3));
      result.lemonNetworkSimplexSeconds = Number(lemon.networkSimplex.seconds.toFixed(4));
      result.lemonCostScalingSeconds = Number(lemon.costScaling.seconds.toFixed(4));
      const agree = runs.every((run) => run.objective === solution.objective);
      result.referenceAgrees = agree;
      if (!agree) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        fail(`objectives differ: ours ${solution.objective}, LEMON ${JSON.stringify(lemon)}`);
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }
}

if (values.json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  for (const [key, value] of Object.entries(result)) {
    process.stdout.write(`${key.padEnd(28)} ${JSON.stringify(value)}\n`);
  }
}
if (!check.ok) fail(`self-check failed: ${check.problems.join('; ')}`);
