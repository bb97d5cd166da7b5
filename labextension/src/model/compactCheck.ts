/**
 * Whether a CompactGraph can be decoded as it claims: columns as long as
 * `count`, every string index inside `strings`, every node reference inside
 * the nodes (or, negative, inside `strings`), phases that are phases. The
 * kernel checks graphs it sends (payload/compact_check.py); this guards what
 * arrives otherwise, such as a saved notebook's output, which is data from
 * whoever wrote the file: an unreadable graph is refused, never half-drawn.
 */
const PHASES = new Set(['input', 'forward', 'backward', 'update']);
const NON_FINITE_MARKS = new Set(['produced', 'passed']);
const NON_FINITE_NUMBERS = new Set(['NaN', 'Infinity', '-Infinity']);
const STRING_COLUMNS = [
  'op',
  'name',
  'category',
  'dtype',
  'device',
  'scope',
  'phase'
] as const;

type Obj = Record<string, unknown>;

function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isIndex(x: unknown, size: number): boolean {
  return Number.isInteger(x) && (x as number) >= 0 && (x as number) < size;
}

function isShape(x: unknown): boolean {
  return (
    x === null ||
    (Array.isArray(x) &&
      x.every(d => d === null || typeof d === 'string' || Number.isInteger(d)))
  );
}

class Problem extends Error {}

function fail(where: string, reason: string): never {
  throw new Problem(`${where}: ${reason}`);
}

function column(
  cols: Obj,
  key: string,
  size: number,
  where: string
): unknown[] {
  const col = cols[key];
  if (!Array.isArray(col) || col.length !== size) {
    fail(`${where}/${key}`, `needs ${size} entries`);
  }
  return col;
}

function checkAll(
  items: unknown[],
  ok: (x: unknown) => boolean,
  where: string,
  what: string
): void {
  const i = items.findIndex(x => !ok(x));
  if (i >= 0) {
    fail(`${where}/${i}`, `${JSON.stringify(items[i])} is not ${what}`);
  }
}

function checkSparse(
  map: unknown,
  size: number,
  where: string,
  ok: (x: unknown) => boolean,
  what: string
): void {
  if (map === undefined) {
    return;
  }
  if (!isObj(map)) {
    fail(where, 'is not an object');
  }
  for (const [key, value] of Object.entries(map)) {
    if (!isIndex(Number(key), size) || String(Number(key)) !== key) {
      fail(`${where}/${key}`, `names none of the ${size} entries`);
    }
    if (!ok(value)) {
      fail(`${where}/${key}`, `is not ${what}`);
    }
  }
}

function check(c: unknown): void {
  if (!isObj(c) || !isObj(c.nodes) || !isObj(c.edges)) {
    fail('graph', 'needs nodes and edges objects');
  }
  const strings = c.strings;
  if (!Array.isArray(strings) || !strings.every(s => typeof s === 'string')) {
    fail('strings', 'is not a list of strings');
  }
  if (typeof c.title !== 'string') {
    fail('title', 'is not a string');
  }
  const n = strings.length;
  const nodes = c.nodes;
  const count = nodes.count;
  if (!Number.isInteger(count) || (count as number) < 0) {
    fail('nodes/count', 'is not a count');
  }
  const size = count as number;
  const str = (x: unknown): boolean => isIndex(x, n);
  const ref = (x: unknown): boolean =>
    Number.isInteger(x) && (x as number) >= -n && (x as number) < size;
  for (const key of [...STRING_COLUMNS, ...(nodes.id ? ['id'] : [])]) {
    checkAll(
      column(nodes, key, size, 'nodes'),
      str,
      `nodes/${key}`,
      'a string index'
    );
  }
  checkAll(
    column(nodes, 'phase', size, 'nodes'),
    p => PHASES.has(strings[p as number]),
    'nodes/phase',
    'a phase'
  );
  checkAll(
    column(nodes, 'shape', size, 'nodes'),
    isShape,
    'nodes/shape',
    'a shape'
  );
  for (const key of ['forward_of', 'updates']) {
    if (nodes[key] !== undefined) {
      const f = column(nodes, key, size, 'nodes');
      checkAll(f, x => x === null || ref(x), `nodes/${key}`, 'a reference');
    }
  }
  checkSparse(
    nodes.nonfinite,
    size,
    'nodes/nonfinite',
    x => NON_FINITE_MARKS.has(x as string),
    "'produced' or 'passed'"
  );
  checkSparse(nodes.params, size, 'nodes/params', isObj, 'an object');
  checkSparse(
    nodes.source,
    size,
    'nodes/source',
    s =>
      s === null ||
      (Array.isArray(s) &&
        s.length >= 2 &&
        s.length <= 4 &&
        str(s[0]) &&
        Number.isInteger(s[1]) &&
        s.slice(2).every(x => x === null || str(x))),
    '[file, line, function, cell]'
  );
  for (const flag of ['has_value', 'has_grad']) {
    const marked = nodes[flag] ?? [];
    if (!Array.isArray(marked)) {
      fail(`nodes/${flag}`, 'is not a list');
    }
    checkAll(marked, x => isIndex(x, size), `nodes/${flag}`, 'a node index');
  }
  const metrics = nodes.metrics ?? {};
  if (!isObj(metrics)) {
    fail('nodes/metrics', 'is not an object');
  }
  for (const name of Object.keys(metrics)) {
    const col = column(metrics, name, size, 'nodes/metrics');
    checkAll(
      col,
      x =>
        x === null ||
        typeof x === 'number' ||
        NON_FINITE_NUMBERS.has(x as string),
      `nodes/metrics/${name}`,
      'a number'
    );
  }
  const edges = c.edges;
  const src = edges.src;
  if (!Array.isArray(src)) {
    fail('edges/src', 'is not a list');
  }
  const m = src.length;
  checkAll(src, ref, 'edges/src', 'a reference');
  checkAll(column(edges, 'dst', m, 'edges'), ref, 'edges/dst', 'a reference');
  checkAll(
    column(edges, 'port', m, 'edges'),
    x => isIndex(x, Infinity),
    'edges/port',
    'a port'
  );
  if (edges.id !== undefined) {
    checkAll(
      column(edges, 'id', m, 'edges'),
      str,
      'edges/id',
      'a string index'
    );
  }
  checkSparse(edges.shape, m, 'edges/shape', isShape, 'a shape');
  checkSparse(edges.dtype, m, 'edges/dtype', str, 'a string index');
  if (!Array.isArray(c.outputs)) {
    fail('outputs', 'is not a list');
  }
  checkAll(c.outputs, ref, 'outputs', 'a reference');
  const types = c.scope_types;
  if (
    types !== undefined &&
    !(isObj(types) && Object.values(types).every(t => typeof t === 'string'))
  ) {
    fail('scope_types', 'is not a map of scope paths to class names');
  }
}

/** What makes `c` undecodable, as "where: why"; null when it decodes. */
export function compactGraphProblem(c: unknown): string | null {
  try {
    check(c);
    return null;
  } catch (e) {
    if (e instanceof Problem) {
      return e.message;
    }
    throw e;
  }
}
