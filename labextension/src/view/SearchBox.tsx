import React from 'react';
import type { GraphModel } from '../model/graphModel';
import { describeNode, searchNodes } from '../model/search';

export interface SearchState {
  query: string;
  setQuery: (q: string) => void;
  showHits: boolean;
  setShowHits: (v: boolean) => void;
}

/** The search field and its list of hits; Enter or a click reveals a hit. */
export function SearchBox(props: {
  model: GraphModel;
  search: SearchState;
  reveal: (nodeId: string) => void;
  /** Gives the keyboard back to the pane. */
  focusPane: () => void;
}): JSX.Element {
  const { model, reveal, focusPane } = props;
  const { query, setQuery, showHits, setShowHits } = props.search;
  const hits = React.useMemo(
    () => searchNodes(model, query, 20),
    [model, query]
  );
  return (
    <span className="vf-search">
      <input
        className="vf-search-input"
        type="search"
        placeholder="Search name, op, scope"
        aria-label="search nodes"
        value={query}
        onChange={e => {
          setQuery(e.target.value);
          setShowHits(true);
        }}
        onFocus={() => setShowHits(true)}
        onKeyDown={e => {
          if (e.key === 'Enter' && hits.length > 0) {
            reveal(hits[0].id);
            setShowHits(false);
            focusPane();
          } else if (e.key === 'Escape') {
            setQuery('');
            setShowHits(false);
            focusPane();
          }
          e.stopPropagation();
        }}
      />
      {showHits && query.trim() ? (
        <ul className="vf-search-hits" role="listbox">
          {hits.length === 0 ? (
            <li className="vf-search-none">no match</li>
          ) : null}
          {hits.map(h => (
            <li
              key={h.id}
              role="option"
              aria-selected={false}
              className="vf-search-hit"
              data-node-id={h.id}
              onMouseDown={e => {
                e.preventDefault();
                reveal(h.id);
                setShowHits(false);
              }}
            >
              {describeNode(h.node)}
            </li>
          ))}
        </ul>
      ) : null}
    </span>
  );
}
