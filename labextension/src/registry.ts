/**
 * The live graph viewers, so commands can act on all of them.
 */
export interface FitTarget {
  /** Fit the whole graph into the viewer's canvas. */
  fit(): void;
}

export class ViewerRegistry {
  private readonly viewers = new Set<FitTarget>();

  add(viewer: FitTarget): void {
    this.viewers.add(viewer);
  }

  delete(viewer: FitTarget): void {
    this.viewers.delete(viewer);
  }

  get size(): number {
    return this.viewers.size;
  }

  /** Fit every live viewer; returns how many were fitted. */
  fitAll(): number {
    let n = 0;
    for (const v of this.viewers) {
      v.fit();
      n++;
    }
    return n;
  }
}

/** The registry of this page's graph viewers. */
export const liveViewers = new ViewerRegistry();
