/**
 * While a wire is dragged, each input port wears the kernel's verdict as a
 * `data-verdict` attribute (ok / bad) and its reason as a title, set on the
 * drawn DOM directly: a drag start and end then cost no redraw of the nodes
 * (a 500-node canvas would redraw every one).
 */
import { portKey, type PortVerdict } from '../model/validity';

/** Mark every drawn input port under `root` with its verdict. */
export function markPorts(
  root: HTMLElement,
  verdicts: ReadonlyMap<string, PortVerdict>
): void {
  for (const el of root.querySelectorAll<HTMLElement>('.vf-edit-port')) {
    const node = el.closest<HTMLElement>('.vf-edit-node')?.dataset.nodeId;
    const v =
      node === undefined
        ? undefined
        : verdicts.get(portKey(node, Number(el.dataset.port)));
    if (v) {
      el.dataset.verdict = v.ok ? 'ok' : 'bad';
      el.title = v.ok ? '' : v.reason;
    }
  }
}

/** Take the marks off again (the drag ended). */
export function clearPorts(root: HTMLElement): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-verdict]')) {
    delete el.dataset.verdict;
    el.removeAttribute('title');
  }
}

/** The refused port under the pointer and why, or null. */
export function refusedAt(
  target: EventTarget | null,
  verdicts: ReadonlyMap<string, PortVerdict>
): { port: HTMLElement; reason: string } | null {
  const port = (target as Element | null)?.closest?.<HTMLElement>(
    '.vf-edit-port'
  );
  const node = port?.closest<HTMLElement>('.vf-edit-node')?.dataset.nodeId;
  if (!port || node === undefined) {
    return null;
  }
  const v = verdicts.get(portKey(node, Number(port.dataset.port)));
  return v && !v.ok ? { port, reason: v.reason } : null;
}
