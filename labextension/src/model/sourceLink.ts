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
