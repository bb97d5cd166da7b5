/**
 * Where a node was made, as JupyterLab can show it: the notebook cell of an
 * `In[N]` location, or a file path relative to the server root.
 */

/** What the cell search needs of a notebook cell. */
export interface CellInfo {
  model: { type: string; executionCount?: number | null; id?: string };
}

export function executionCountOf(
  cell: string | null | undefined
): number | null {
  const m = /^In\s*\[\s*(\d+)\s*\]$/.exec(cell ?? '');
  return m ? Number(m[1]) : null;
}

/** A file path relative to the server root, as docmanager wants it. */
export function serverRelativePath(file: string, serverRoot: string): string {
  const root = serverRoot.replace(/[\\/]+$/, '');
  if (root && (file.startsWith(root + '/') || file.startsWith(root + '\\'))) {
    return file.slice(root.length + 1);
  }
  return file;
}

/** A path docmanager may open, or why it may not. */
export type SafePath =
  { ok: true; path: string } | { ok: false; reason: string };

const MAX_DECODES = 4;

/** `text` percent-decoded until it stops changing; null when an escape is malformed. */
function fullyDecoded(text: string): string | null {
  let current = text;
  for (let i = 0; i < MAX_DECODES; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return null;
    }
    if (next === current) {
      return current;
    }
    current = next;
  }
  return /%[0-9a-f]{2}/i.test(current) ? null : current;
}

/**
 * The server-relative path of a source file, refused (with a reason to show)
 * when it could reach outside the folder JupyterLab serves: absolute and not
 * under the server root, or holding a `..` segment, read as written and read
 * with separators normalised and percent-escapes decoded. Decided here, before
 * the server is asked, so a crafted graph's source location opens nothing else.
 */
export function safeServerPath(file: string, serverRoot: string): SafePath {
  const slashes = (p: string): string => p.replace(/\\/g, '/');
  const root = slashes(serverRoot);
  const raw = slashes(file);
  const decoded = fullyDecoded(raw);
  // eslint-disable-next-line no-control-regex
  if (decoded === null || /[\u0000-\u001f\u007f]/.test(decoded)) {
    return {
      ok: false,
      reason: `${JSON.stringify(file)} is not a readable path`
    };
  }
  const outside = `${JSON.stringify(file)} lies outside the folder JupyterLab serves`;
  for (const form of [raw, slashes(decoded)]) {
    const relative = serverRelativePath(form, root);
    if (/^(\/|[A-Za-z]:)/.test(relative)) {
      return { ok: false, reason: outside };
    }
    if (relative.split('/').includes('..')) {
      return { ok: false, reason: `${outside} (it goes up with '..')` };
    }
  }
  const path = serverRelativePath(raw, root)
    .split('/')
    .filter(s => s !== '' && s !== '.')
    .join('/');
  return path ? { ok: true, path } : { ok: false, reason: outside };
}

/** The index of the cell a source location names, or -1. */
export function findCellIndex(
  cells: readonly CellInfo[],
  cell: string
): number {
  const count = executionCountOf(cell);
  return cells.findIndex(c =>
    count !== null
      ? c.model.type === 'code' && c.model.executionCount === count
      : c.model.id === cell
  );
}
