/**
 * One render per debugger step: the kernel sends a command's new session state just before
 * the command's reply (which brings the values the inspector shows), in two messages.
 * Rendering each would draw the canvas twice, the first time with the inspector still
 * loading; the gate holds a session change while a command is answered, then renders once.
 */
export class RenderGate {
  private held = false;

  constructor(
    /** The command being answered, if any (settles, never rejects, when its reply comes). */
    private readonly inFlight: () => Promise<unknown> | null,
    private readonly render: () => void,
    /** The longest a change is held (a reply lost to a dead kernel must not freeze the view). */
    private readonly maxHoldMs = 250
  ) {}

  /** Render now, or once the command in flight is answered (one render for any number of changes). */
  changed(): void {
    const pending = this.inFlight();
    if (!pending) {
      this.render();
      return;
    }
    if (this.held) {
      return;
    }
    this.held = true;
    let done = false;
    const release = (): void => {
      if (!done) {
        done = true;
        this.held = false;
        this.render();
      }
    };
    void pending.then(release);
    setTimeout(release, this.maxHoldMs);
  }
}
