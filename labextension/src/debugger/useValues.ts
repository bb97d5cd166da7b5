/** A node's values at the session's moment, asked of the kernel again whenever it moves. */
import { useEffect, useMemo, useState } from 'react';
import type { DecodedReply } from '../model/inspect';

export type Fetched =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'done'; reply: DecodedReply };

/** Where values come from (a stable object: its identity is an effect dependency). */
export interface ValueSource {
  inspect(nodeId: string): Promise<DecodedReply>;
  /** The values it already holds for this moment, if any (shown without a loading render). */
  peek?(nodeId: string): DecodedReply | undefined;
}

function fetchedOf(reply: DecodedReply): Fetched {
  return reply.error
    ? { state: 'error', message: reply.error }
    : { state: 'done', reply };
}

/** The values shown for `ids`: held ones first, then those fetched for this moment `at`, else loading. */
export function shownValues(
  ids: readonly string[],
  held: ReadonlyMap<string, Fetched>,
  fetched: { at: string; values: ReadonlyMap<string, Fetched> },
  at: string
): ReadonlyMap<string, Fetched> {
  const out = new Map<string, Fetched>();
  for (const id of ids) {
    out.set(
      id,
      held.get(id) ??
        (fetched.at === at ? fetched.values.get(id) : undefined) ?? {
          state: 'loading'
        }
    );
  }
  return out;
}

/** The inspect replies for `ids` (none when `source` is null), refetched when `moment`
 * changes; older answers are dropped. Values the source holds show in the same render. */
export function useValues(
  source: ValueSource | null,
  ids: readonly string[],
  moment: string
): ReadonlyMap<string, Fetched> {
  const at = `${moment}\u0001${ids.join('\u0000')}`;
  const [fetched, setFetched] = useState<{
    at: string;
    values: ReadonlyMap<string, Fetched>;
  }>({ at: '', values: new Map() });
  const held = useMemo(() => {
    const m = new Map<string, Fetched>();
    for (const id of source ? ids : []) {
      const reply = source?.peek?.(id);
      if (reply) {
        m.set(id, fetchedOf(reply));
      }
    }
    return m;
  }, [source, at]);
  useEffect(() => {
    const missing = source ? ids.filter(id => !held.has(id)) : [];
    if (!source || missing.length === 0) {
      return;
    }
    let current = true;
    const settle = (id: string, f: Fetched): void => {
      if (current) {
        setFetched(prev =>
          prev.at === at
            ? { at, values: new Map(prev.values).set(id, f) }
            : { at, values: new Map([[id, f]]) }
        );
      }
    };
    for (const id of missing) {
      source.inspect(id).then(
        reply => settle(id, fetchedOf(reply)),
        (err: unknown) =>
          settle(id, {
            state: 'error',
            message: err instanceof Error ? err.message : String(err)
          })
      );
    }
    return () => {
      current = false;
    };
  }, [source, at, held]);
  return useMemo(
    () => (source ? shownValues(ids, held, fetched, at) : new Map()),
    [source, held, fetched, at]
  );
}
