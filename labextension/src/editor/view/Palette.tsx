/**
 * The palette: a search box over every op, input kind and layer, by category,
 * each with its one-line formula. An entry is dragged onto the canvas, or
 * clicked to add it at the canvas centre. QuickAdd is the same search opened at
 * a point of the canvas (double-click), adding the chosen entry there.
 */
import React, { memo, useEffect, useMemo, useRef, useState } from 'react';
import { searchPalette, sections, type PaletteEntry } from '../model/palette';

/** The drag payload type of a palette entry (its key). */
export const PALETTE_MIME = 'application/x-vizflow-palette';

function Entry(props: {
  entry: PaletteEntry;
  onPick: (e: PaletteEntry) => void;
  active?: boolean;
}): JSX.Element {
  const { entry, onPick, active } = props;
  return (
    <li
      className={`vf-palette-entry${active ? ' vf-active' : ''}`}
      data-key={entry.key}
      draggable={true}
      title={entry.doc || entry.formula}
      onDragStart={e => {
        e.dataTransfer.setData(PALETTE_MIME, entry.key);
        e.dataTransfer.effectAllowed = 'copy';
      }}
      onClick={() => onPick(entry)}
    >
      <span className="vf-palette-label">{entry.label}</span>
      {entry.formula ? (
        <span className="vf-palette-formula">{entry.formula}</span>
      ) : null}
    </li>
  );
}

function PaletteView(props: {
  entries: PaletteEntry[];
  onPick: (e: PaletteEntry) => void;
}): JSX.Element {
  const [query, setQuery] = useState('');
  const shown = useMemo(
    () => sections(searchPalette(props.entries, query)),
    [props.entries, query]
  );
  return (
    <div className="vf-palette" aria-label="Palette">
      <input
        className="vf-palette-search"
        type="search"
        placeholder="Search ops…"
        aria-label="Search the palette"
        value={query}
        onChange={e => setQuery(e.target.value)}
      />
      <div className="vf-palette-list">
        {shown.map(s => (
          <details
            key={s.category}
            open={query !== '' || s.entries.length < 8}
            className="vf-palette-section"
            data-category={s.category}
          >
            <summary>{`${s.category} (${s.entries.length})`}</summary>
            <ul>
              {s.entries.map(e => (
                <Entry key={e.key} entry={e} onPick={props.onPick} />
              ))}
            </ul>
          </details>
        ))}
        {shown.length === 0 ? (
          <div className="vf-palette-empty">{`No entry matches “${query}”.`}</div>
        ) : null}
      </div>
    </div>
  );
}

/** Drawn again only when its entries or handler change (not on each canvas change). */
export const Palette = memo(PaletteView);

/** The search opened at a canvas point: type, arrows to choose, Enter to add, Escape to close. */
export function QuickAdd(props: {
  entries: PaletteEntry[];
  left: number;
  top: number;
  onPick: (e: PaletteEntry) => void;
  onClose: () => void;
}): JSX.Element {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const hits = useMemo(
    () => searchPalette(props.entries, query).slice(0, 12),
    [props.entries, query]
  );
  useEffect(() => input.current?.focus(), []);
  return (
    <div className="vf-quickadd" style={{ left: props.left, top: props.top }}>
      <input
        ref={input}
        type="search"
        placeholder="Add an op…"
        aria-label="Add an op here"
        value={query}
        onChange={e => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onBlur={() => setTimeout(props.onClose, 150)}
        onKeyDown={e => {
          if (e.key === 'Escape') {
            props.onClose();
          } else if (e.key === 'ArrowDown') {
            setActive(a => Math.min(a + 1, hits.length - 1));
            e.preventDefault();
          } else if (e.key === 'ArrowUp') {
            setActive(a => Math.max(a - 1, 0));
            e.preventDefault();
          } else if (e.key === 'Enter' && hits[active]) {
            props.onPick(hits[active]);
          }
        }}
      />
      <ul>
        {hits.map((e, i) => (
          <Entry
            key={e.key}
            entry={e}
            onPick={props.onPick}
            active={i === active}
          />
        ))}
      </ul>
    </div>
  );
}
