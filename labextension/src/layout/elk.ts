/**
 * Loading ELK (elkjs' bundled build: the GWT-compiled layouter plus its API).
 */
import type { ElkLike } from './elkGraph';

/** Load ELK lazily; webpack puts the 1.6 MB layouter in its own chunk. */
export async function loadElk(): Promise<ElkLike> {
  const mod = await import('elkjs/lib/elk.bundled.js');
  const ELK =
    (mod as unknown as { default?: typeof mod.default }).default ?? mod;
  return new (ELK as unknown as new () => ElkLike)();
}
