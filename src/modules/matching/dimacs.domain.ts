/**
 * DIMACS minimum-cost-flow format for re-matching instances, so that the same instance can be
 * solved by a native library (LEMON, OR-Tools, CS2) and compared with ours.
 *
 *   c <comment>
 *   p min <nodes> <arcs>
 *   n <id> <supply>                 (nodes not listed have supply 0)
 *   a <from> <to> <low> <cap> <cost>
 *
 * The shape: one source node per patient (supply 1), one node per option, one sink with supply
 * −P; arcs patient → option (capacity 1, the edge cost), patient → sink (capacity 1, the unmatched
 * penalty) and option → sink (the option's capacity, cost 0). The writer numbers patients 1..P,
 * options P+1..P+O and the sink P+O+1; the reader accepts any numbering of that shape.
 */
import type { MatchingInstance } from './solver-instance.domain.ts';

/** Writes the instance; each entry of `comments` becomes a `c` line at the top. */
export function writeDimacs(instance: MatchingInstance, comments: readonly string[] = []): string {
  const { edgeStart, edgeOption, edgeCost, optionCapacity, unmatchedCost } = instance;
  const patients = unmatchedCost.length;
  const options = optionCapacity.length;
  const sink = patients + options + 1;
  const arcs = edgeOption.length + patients + options;
  const lines: string[] = comments.map((comment) => `c ${comment}`);
  lines.push(`p min ${sink} ${arcs}`);
  for (let i = 1; i <= patients; i++) lines.push(`n ${i} 1`);
  if (patients > 0) lines.push(`n ${sink} ${-patients}`);
  for (let i = 0; i < patients; i++) {
    for (let e = edgeStart[i] ?? 0; e < (edgeStart[i + 1] ?? 0); e++) {
      lines.push(`a ${i + 1} ${patients + 1 + (edgeOption[e] ?? 0)} 0 1 ${edgeCost[e] ?? 0}`);
    }
    lines.push(`a ${i + 1} ${sink} 0 1 ${unmatchedCost[i] ?? 0}`);
  }
  for (let o = 0; o < options; o++) {
    lines.push(`a ${patients + 1 + o} ${sink} 0 ${optionCapacity[o] ?? 0} 0`);
  }
  lines.push('');
  return lines.join('\n');
}

interface Arc {
  readonly line: number;
  readonly from: number;
  readonly to: number;
  readonly capacity: number;
  readonly cost: number;
}

const integerPattern = /^-?\d+$/;

/**
 * Reads a DIMACS min-cost-flow file of the re-matching shape. Throws a SyntaxError naming the
 * line for anything malformed or of another shape (a lower bound, an arc between two options, a
 * patient without an unmatched arc, ...).
 */
export function readDimacs(text: string): MatchingInstance {
  let nodeCount = -1;
  const supply = new Map<number, number>();
  const arcs: Arc[] = [];
  const fail = (line: number, message: string): never => {
    throw new SyntaxError(`DIMACS line ${line}: ${message}`);
  };
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = index + 1;
    const fields = raw.trim().split(/\s+/);
    const kind = fields[0] ?? '';
    if (kind === '' || kind === 'c') return;
    const integers = () =>
      fields.slice(1).map((field) => {
        if (!integerPattern.test(field)) fail(line, `"${field}" is not an integer`);
        return Number(field);
      });
    const node = (id: number | undefined): number => {
      if (id === undefined || id < 1 || id > nodeCount) fail(line, `node ${id} out of range`);
      return id ?? 0;
    };
    switch (kind) {
      case 'p':
        if (fields[1] !== 'min' || fields.length !== 4) fail(line, 'expected "p min NODES ARCS"');
        if (nodeCount >= 0) fail(line, 'a second problem line');
        nodeCount = Number(fields[2]);
        if (!Number.isSafeInteger(nodeCount) || nodeCount < 0) fail(line, 'bad node count');
        return;
      case 'n': {
        if (nodeCount < 0) fail(line, 'node line before the problem line');
        const numbers = integers();
        if (numbers.length !== 2) fail(line, 'expected "n ID SUPPLY"');
        supply.set(node(numbers[0]), numbers[1] ?? 0);
        return;
      }
      case 'a': {
        if (nodeCount < 0) fail(line, 'arc line before the problem line');
        const numbers = integers();
        if (numbers.length !== 5) fail(line, 'expected "a FROM TO LOW CAP COST"');
        const [from, to, low, capacity, cost] = numbers;
        if (low !== 0) fail(line, 'lower bounds other than 0 are not of the re-matching shape');
        if ((capacity ?? -1) < 0) fail(line, 'negative capacity');
        arcs.push({
          line,
          from: node(from),
          to: node(to),
          capacity: capacity ?? 0,
          cost: cost ?? 0,
        });
        return;
      }
      default:
        fail(line, `unknown line type "${kind}"`);
    }
  });
  if (nodeCount < 0) fail(lines.length, 'no problem line');
  return shapeOf(nodeCount, supply, arcs, fail);
}

function shapeOf(
  nodeCount: number,
  supply: ReadonlyMap<number, number>,
  arcs: readonly Arc[],
  fail: (line: number, message: string) => never,
): MatchingInstance {
  const patientNodes: number[] = [];
  const sinks: number[] = [];
  for (let id = 1; id <= nodeCount; id++) {
    const value = supply.get(id) ?? 0;
    if (value === 1) patientNodes.push(id);
    else if (value < 0) sinks.push(id);
    else if (value !== 0) fail(0, `node ${id} has supply ${value}; sources must have supply 1`);
  }
  const patients = patientNodes.length;
  // Without patients nothing has a negative supply: the sink is then the head of every arc, or
  // the last node (where the writer puts it).
  const sink = sinks[0] ?? arcs[0]?.to ?? nodeCount;
  if (sinks.length > 1) fail(0, 'more than one node with negative supply');
  if (patients > 0 && supply.get(sink) !== -patients) {
    fail(0, `the sink has supply ${supply.get(sink)}, expected ${-patients}`);
  }
  const patientIndex = new Map(patientNodes.map((id, index) => [id, index]));
  const optionIndex = new Map<number, number>();
  for (let id = 1; id <= nodeCount; id++) {
    if (id !== sink && !patientIndex.has(id)) optionIndex.set(id, optionIndex.size);
  }

  const optionCapacity = new Int32Array(optionIndex.size);
  const unmatchedCost = new Float64Array(patients).fill(Number.NaN);
  const degree = new Int32Array(patients + 1);
  for (const arc of arcs) {
    const patient = patientIndex.get(arc.from);
    const option = optionIndex.get(arc.to);
    if (patient !== undefined && option !== undefined) {
      if (arc.capacity < 1) fail(arc.line, 'a patient → option arc needs capacity 1');
      degree[patient + 1] = (degree[patient + 1] ?? 0) + 1;
    } else if (patient !== undefined && arc.to === sink) {
      if (arc.capacity < 1) fail(arc.line, 'an unmatched arc needs capacity 1');
      const previous = unmatchedCost[patient] ?? Number.NaN;
      unmatchedCost[patient] = Number.isNaN(previous) ? arc.cost : Math.min(previous, arc.cost);
    } else if (optionIndex.has(arc.from) && arc.to === sink) {
      if (arc.cost !== 0) fail(arc.line, 'an option → sink arc must cost 0');
      const from = optionIndex.get(arc.from) ?? 0;
      optionCapacity[from] = (optionCapacity[from] ?? 0) + arc.capacity;
    } else {
      fail(arc.line, `arc ${arc.from} → ${arc.to} is not of the re-matching shape`);
    }
  }
  unmatchedCost.forEach((cost, patient) => {
    if (Number.isNaN(cost)) fail(0, `patient node ${patientNodes[patient]} has no unmatched arc`);
  });

  const edgeStart = new Int32Array(patients + 1);
  for (let i = 0; i < patients; i++) edgeStart[i + 1] = (edgeStart[i] ?? 0) + (degree[i + 1] ?? 0);
  const next = edgeStart.slice(0, patients);
  const edgeOption = new Int32Array(edgeStart[patients] ?? 0);
  const edgeCost = new Float64Array(edgeOption.length);
  for (const arc of arcs) {
    const patient = patientIndex.get(arc.from);
    const option = optionIndex.get(arc.to);
    if (patient === undefined || option === undefined) continue;
    const at = next[patient] ?? 0;
    next[patient] = at + 1;
    edgeOption[at] = option;
    edgeCost[at] = arc.cost;
  }
  return { edgeStart, edgeOption, edgeCost, optionCapacity, unmatchedCost };
}
