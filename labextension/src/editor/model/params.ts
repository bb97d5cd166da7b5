/**
 * Param fields as text: how a value is shown in the inspector, and how typed
 * text is read back — JSON, or the Python-ish forms people type for shapes and
 * names: `(batch, 64)`, `[32, None]`, `float32`. Reading never evaluates; the
 * kernel validates the value against the op's declared param.
 */

export type ParsedParam =
  { ok: true; value: unknown } | { ok: false; error: string };

/** A value as the inspector shows it: shapes as tuples, strings bare. */
export function paramText(value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (
    Array.isArray(value) &&
    value.every(v => v === null || typeof v !== 'object')
  ) {
    const items = value.map(v => (v === null ? 'None' : String(v)));
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  return JSON.stringify(value);
}

const WORD = /^[A-Za-z_][A-Za-z0-9_]*$/;

function atom(text: string): ParsedParam {
  const t = text.trim();
  if (t === 'None' || t === 'null' || t === '?') {
    return { ok: true, value: null };
  }
  if (t === 'True' || t === 'true') {
    return { ok: true, value: true };
  }
  if (t === 'False' || t === 'false') {
    return { ok: true, value: false };
  }
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) {
    return { ok: true, value: Number(t) };
  }
  const quoted = /^(['"])(.*)\1$/.exec(t);
  if (quoted) {
    return { ok: true, value: quoted[2] };
  }
  if (WORD.test(t)) {
    return { ok: true, value: t };
  }
  return { ok: false, error: `cannot read ${JSON.stringify(t)}` };
}

/** Read a field's text; `type` is the param's declared kind (a 'string' param keeps the text as is). */
export function parseParam(text: string, type: string): ParsedParam {
  const t = text.trim();
  if (type === 'string' || type === 'str') {
    return { ok: true, value: text };
  }
  if (t === '') {
    return { ok: true, value: null };
  }
  try {
    return { ok: true, value: JSON.parse(t) as unknown };
  } catch {
    // not JSON: a tuple or list of atoms, or one atom
  }
  const seq = /^[([](.*)[)\]]$/s.exec(t);
  if (seq) {
    const body = seq[1].trim().replace(/,$/, '');
    if (body === '') {
      return { ok: true, value: [] };
    }
    const out: unknown[] = [];
    for (const part of body.split(',')) {
      const a = atom(part);
      if (!a.ok) {
        return a;
      }
      out.push(a.value);
    }
    return { ok: true, value: out };
  }
  return atom(t);
}

/** The values of a held array as the inspector shows them: JSON nested lists. */
export function heldValuesText(values: unknown): string {
  return JSON.stringify(values);
}

/** The shape nested lists seem to have (along their first items). */
function shapeOf(value: unknown): number[] {
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return shape;
}

/** Every leaf of nested lists of the given shape, or null when the nesting is ragged. */
function leaves(value: unknown, shape: readonly number[]): unknown[] | null {
  const out: unknown[] = [];
  const todo: [unknown, number][] = [[value, 0]];
  while (todo.length) {
    const [v, depth] = todo.pop() as [unknown, number];
    if (depth === shape.length) {
      out.push(v);
    } else if (!Array.isArray(v) || v.length !== shape[depth]) {
      return null;
    } else {
      for (let k = v.length - 1; k >= 0; k--) {
        todo.push([v[k], depth + 1]); // first item popped first: leaves in order
      }
    }
  }
  return out;
}

function fits(v: unknown, dtype: string): boolean {
  if (dtype === 'bool') {
    return typeof v === 'boolean';
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    return false;
  }
  return /^u?int/.test(dtype) ? Number.isInteger(v) : true;
}

/**
 * Values typed for a held array (the inspector's edit of a small constant): JSON
 * nested lists of exactly its `shape`, every value finite and of its `dtype`'s
 * kind (whole numbers for ints, true/false for bool). The kernel checks again.
 */
export function parseHeldValues(
  text: string,
  shape: readonly number[],
  dtype: string
): ParsedParam {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return {
      ok: false,
      error: 'values are nested lists, e.g. [[1, 2], [3, 4]]'
    };
  }
  const found = leaves(value, shape);
  if (found === null) {
    return {
      ok: false,
      error: `give ${paramText(shape)} values, not ${paramText(shapeOf(value))}`
    };
  }
  const bad = found.find(v => !fits(v, dtype));
  if (bad !== undefined) {
    const kind =
      dtype === 'bool'
        ? 'true or false'
        : /^u?int/.test(dtype)
          ? 'whole numbers'
          : 'finite numbers';
    return {
      ok: false,
      error: `${dtype} values are ${kind}, not ${JSON.stringify(bad)}`
    };
  }
  return { ok: true, value };
}
