/**
 * The page's warm layout worker (see ./warmPool): primed once JupyterLab is
 * idle after start-up, taken by each new viewer.
 */
import { WarmPool } from './warmPool';
import { WebWorkerTransport } from './worker';

function whenIdle(run: () => void): void {
  const w = window as unknown as {
    requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => number;
  };
  if (w.requestIdleCallback) {
    w.requestIdleCallback(run, { timeout: 2000 });
  } else {
    setTimeout(run, 200);
  }
}

export const layoutPool = new WarmPool(
  () => new WebWorkerTransport(),
  whenIdle
);

export { whenIdle };
