/** A node's values at the session's moment, asked of the kernel again whenever it moves. */
import { useEffect, useState } from 'react';
import type { DecodedReply } from '../model/inspect';

export type Fetched =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'done'; reply: DecodedReply };

/** Where values come from (a stable object: its identity is an effect dependency). */
export interface ValueSource {
  inspect(nodeId: string): Promise<DecodedReply>;
}

/** The inspect replies for `ids` (none when `source` is null), refetched when `moment`
 * changes; older answers are dropped. */
export function useValues(
  source: ValueSource | null,
  ids: readonly string[],
  moment: string
): ReadonlyMap<string, Fetched> {
  const [values, setValues] = useState<ReadonlyMap<string, Fetched>>(new Map());
  const key = ids.join('\u0000');
  useEffect(() => {
    if (!source || ids.length === 0) {
      setValues(new Map());
      return;
    }
    let current = true;
    setValues(new Map(ids.map(id => [id, { state: 'loading' }])));
    for (const id of ids) {
      source.inspect(id).then(
        reply => {
          if (current) {
            setValues(prev =>
              new Map(prev).set(
                id,
                reply.error
                  ? { state: 'error', message: reply.error }
                  : { state: 'done', reply }
              )
            );
          }
        },
        (err: unknown) => {
          if (current) {
            setValues(prev =>
              new Map(prev).set(id, {
                state: 'error',
                message: err instanceof Error ? err.message : String(err)
              })
            );
          }
        }
      );
    }
    return () => {
      current = false;
    };
  }, [source, key, moment]);
  return values;
}
