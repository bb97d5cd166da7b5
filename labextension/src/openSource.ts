/**
 * Open where a node was made: a notebook cell (`In[5]`: scroll the current
 * notebook to the cell with that execution count) or a file at a line
 * (docmanager:open, then move the cursor there).
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';
import { Notification } from '@jupyterlab/apputils';
import type { SourceLocation } from './protocol';
import {
  findCellIndex,
  safeServerPath,
  type CellInfo
} from './model/sourceLink';

export { executionCountOf, serverRelativePath } from './model/sourceLink';

interface CellLike extends CellInfo {
  node: HTMLElement;
}

interface NotebookLike {
  widgets: readonly CellLike[];
  activeCellIndex: number;
  mode?: string;
  scrollToItem?(index: number, align?: string): Promise<void>;
}

interface MainWidget {
  id: string;
  node: HTMLElement;
  content?: unknown;
}

function asNotebook(widget: unknown): NotebookLike | null {
  const content = (widget as { content?: unknown } | null)?.content as
    NotebookLike | undefined;
  return content && Array.isArray(content.widgets) ? content : null;
}

/** The notebook panel that holds `el` (the viewer), else the current widget. */
function notebookOf(
  app: JupyterFrontEnd,
  el: Element | null | undefined
): { panel: MainWidget; notebook: NotebookLike } | null {
  if (el) {
    for (const w of app.shell.widgets('main')) {
      const panel = w as unknown as MainWidget;
      const notebook = asNotebook(panel);
      if (notebook && panel.node.contains(el)) {
        return { panel, notebook };
      }
    }
  }
  const current = app.shell.currentWidget as unknown as MainWidget | null;
  const notebook = asNotebook(current);
  return current && notebook ? { panel: current, notebook } : null;
}

/**
 * Show where a node was made. `from` is the element the request came from (the
 * viewer), so that its own notebook is searched even when another tab is current.
 */
export function openSource(
  app: JupyterFrontEnd,
  src: SourceLocation,
  from?: Element | null
): void {
  const found = src.cell ? notebookOf(app, from) : null;
  if (src.cell && found) {
    const { panel, notebook } = found;
    const index = findCellIndex(notebook.widgets, src.cell);
    if (index >= 0) {
      app.shell.activateById(panel.id);
      notebook.mode = 'command';
      notebook.activeCellIndex = index;
      // A windowed notebook may not have the cell in the DOM: let it scroll there.
      if (notebook.scrollToItem) {
        void notebook.scrollToItem(index, 'center');
      } else {
        notebook.widgets[index].node.scrollIntoView({ block: 'center' });
      }
      return;
    }
  }
  if (src.cell) {
    // The cell's code ran from a kernel's scratch file: nothing to open.
    Notification.warning(
      `vizflow: cell ${src.cell} is not in this notebook (was it re-run or deleted?)`,
      { autoClose: 5000 }
    );
    return;
  }
  const safe = safeServerPath(src.file, PageConfig.getOption('serverRoot'));
  if (!safe.ok) {
    Notification.warning(`vizflow: not opened: ${safe.reason}`, {
      autoClose: 5000
    });
    return;
  }
  const path = safe.path;
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
