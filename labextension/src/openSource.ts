/**
 * Open where a node was made: a notebook cell (`In[5]`: scroll the current
 * notebook to the cell with that execution count) or a file at a line
 * (docmanager:open, then move the cursor there).
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';
import type { SourceLocation } from './protocol';

interface CellLike {
  model: { type: string; executionCount?: number | null; id?: string };
  node: HTMLElement;
}

interface NotebookLike {
  widgets: readonly CellLike[];
  activeCellIndex: number;
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

function currentNotebook(app: JupyterFrontEnd): NotebookLike | null {
  const content = (
    app.shell.currentWidget as unknown as { content?: unknown } | null
  )?.content as NotebookLike | undefined;
  return content && Array.isArray(content.widgets) ? content : null;
}

export function openSource(app: JupyterFrontEnd, src: SourceLocation): void {
  const count = executionCountOf(src.cell);
  const nb = currentNotebook(app);
  if (src.cell && nb) {
    const index = nb.widgets.findIndex(c =>
      count !== null
        ? c.model.type === 'code' && c.model.executionCount === count
        : c.model.id === src.cell
    );
    if (index >= 0) {
      nb.activeCellIndex = index;
      nb.widgets[index].node.scrollIntoView({ block: 'center' });
      return;
    }
  }
  const path = serverRelativePath(src.file, PageConfig.getOption('serverRoot'));
  void app.commands
    .execute('docmanager:open', { path })
    .then((widget: unknown) => {
      const w = widget as {
        context?: { ready?: Promise<void> };
        content?: {
          editor?: {
            setCursorPosition(p: { line: number; column: number }): void;
            revealPosition?(p: { line: number; column: number }): void;
            focus?(): void;
          };
        };
      } | null;
      void (w?.context?.ready ?? Promise.resolve()).then(() => {
        const editor = w?.content?.editor;
        if (editor) {
          const pos = { line: Math.max(0, src.line - 1), column: 0 };
          editor.setCursorPosition(pos);
          editor.revealPosition?.(pos);
          editor.focus?.();
        }
      });
    });
}
