/**
 * Undo/redo over kernel-applied commands. A step keeps the commands that undo
 * it (the inverse the kernel returned) and those that redo it; undoing sends the
 * first and stores the kernel's inverse of them as the redo, and the other way
 * round, so node ids the kernel chose stay right however often a step goes back
 * and forth. One request is one step (a bulk action too); a burst of edits to one
 * field folds into one step; selection and collapse never reach the history.
 */
import { coalesceKey, describeCommands, type EditorCommand } from './commands';

/** Edits to the same field closer together than this are one step. */
export const COALESCE_MS = 1500;
/** Steps kept; the oldest are dropped beyond it. */
export const HISTORY_LIMIT = 500;

export interface HistoryStep {
  label: string;
  undo: EditorCommand[];
  redo: EditorCommand[];
  /** Coalescing key of a field edit, else null. */
  key: string | null;
  /** When the step was last extended (ms). */
  at: number;
}

export class History {
  private undoStack: HistoryStep[] = [];
  private redoStack: HistoryStep[] = [];
  /** When true the next field edit starts a new step even if it continues a burst. */
  private sealed = false;

  constructor(private readonly limit = HISTORY_LIMIT) {}

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  get undoLabel(): string | null {
    return this.undoStack[this.undoStack.length - 1]?.label ?? null;
  }

  get redoLabel(): string | null {
    return this.redoStack[this.redoStack.length - 1]?.label ?? null;
  }

  get depth(): { undo: number; redo: number } {
    return { undo: this.undoStack.length, redo: this.redoStack.length };
  }

  /** A request the kernel applied: `forward` was sent, `inverse` came back. */
  record(
    forward: EditorCommand[],
    inverse: EditorCommand[],
    now: number
  ): void {
    this.redoStack = [];
    const key = coalesceKey(forward);
    const top = this.undoStack[this.undoStack.length - 1];
    if (
      top &&
      key !== null &&
      top.key === key &&
      !this.sealed &&
      now - top.at <= COALESCE_MS
    ) {
      // Undoing the burst undoes the latest edit first, then the earlier ones.
      top.undo = [...inverse, ...top.undo];
      top.redo = [...top.redo, ...forward];
      top.label = describeCommands(forward);
      top.at = now;
      return;
    }
    this.sealed = false;
    this.undoStack.push({
      label: describeCommands(forward),
      undo: inverse,
      redo: forward,
      key,
      at: now
    });
    if (this.undoStack.length > this.limit) {
      this.undoStack.shift();
    }
  }

  /** End the current burst (a field lost focus): the next edit is a new step. */
  seal(): void {
    this.sealed = true;
  }

  /** The step to undo, taken off the stack; give it back with `undone` or `restore`. */
  takeUndo(): HistoryStep | null {
    this.sealed = true;
    return this.undoStack.pop() ?? null;
  }

  takeRedo(): HistoryStep | null {
    this.sealed = true;
    return this.redoStack.pop() ?? null;
  }

  /** The kernel applied `step.undo` and answered `inverse` (which redoes it). */
  undone(step: HistoryStep, inverse: EditorCommand[]): void {
    this.redoStack.push({ ...step, redo: inverse });
  }

  /** The kernel applied `step.redo` and answered `inverse` (which undoes it). */
  redone(step: HistoryStep, inverse: EditorCommand[]): void {
    this.undoStack.push({ ...step, undo: inverse });
  }

  /** The kernel refused a taken step: put it back where it was. */
  restore(step: HistoryStep, from: 'undo' | 'redo'): void {
    (from === 'undo' ? this.undoStack : this.redoStack).push(step);
  }

  clear(): void {
    this.undoStack = [];
    this.redoStack = [];
    this.sealed = false;
  }
}
