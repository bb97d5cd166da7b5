/**
 * The page's debuggers and which one was focused last, so that JupyterLab's
 * commands act on it. Kept free of React and widget imports (the plugin loads
 * it eagerly; the debugger itself is a lazy chunk).
 */
import type { Command } from './session';

/** What a command can ask of a debugger. */
export interface DebuggerControls {
  run(command: Command): void;
}

export class DebuggerFocus {
  private last: DebuggerControls | null = null;

  /** The debugger a person last focused (or null when none is open). */
  get current(): DebuggerControls | null {
    return this.last;
  }

  focus(d: DebuggerControls): void {
    this.last = d;
  }

  /** A debugger went away: forget it if it was the last focused. */
  forget(d: DebuggerControls): void {
    if (this.last === d) {
      this.last = null;
    }
  }

  /** Run a command on the last focused debugger; false when there is none. */
  run(command: Command): boolean {
    if (!this.last) {
      return false;
    }
    this.last.run(command);
    return true;
  }
}

export const debuggerFocus = new DebuggerFocus();

/** The palette's debugger commands: id, label, the control they run. */
export const DEBUG_COMMANDS: readonly {
  id: string;
  label: string;
  command: Command;
}[] = [
  { id: 'vizflow:debug-step', label: 'Step', command: 'step' },
  { id: 'vizflow:debug-step-over', label: 'Step over', command: 'step_over' },
  { id: 'vizflow:debug-step-into', label: 'Step into', command: 'step_into' },
  {
    id: 'vizflow:debug-step-iteration',
    label: 'Step one iteration',
    command: 'step_iteration'
  },
  { id: 'vizflow:debug-continue', label: 'Continue', command: 'resume' },
  { id: 'vizflow:debug-pause', label: 'Pause', command: 'pause' },
  { id: 'vizflow:debug-restart', label: 'Restart', command: 'restart' },
  { id: 'vizflow:debug-step-back', label: 'Step back', command: 'step_back' },
  {
    id: 'vizflow:debug-run-to-nan',
    label: 'Run to first NaN/Inf',
    command: 'run_to_nan'
  }
];
