/** A node's right-click menu in the debugger: run to it, break there, check its gradient. */
import React, { useEffect } from 'react';

export interface MenuItem {
  label: string;
  disabled?: boolean;
  act: () => void;
}

export function ContextMenu(props: {
  x: number;
  y: number;
  title: string;
  items: readonly MenuItem[];
  close: () => void;
}): JSX.Element {
  const { close } = props;
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') {
        close();
      }
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', close);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', close);
    };
  }, [close]);
  return (
    <div
      className="vf-dbg-menu"
      role="menu"
      style={{ left: props.x, top: props.y }}
      onPointerDown={e => e.stopPropagation()}
    >
      <div className="vf-dbg-menu-title">{props.title}</div>
      {props.items.map(item => (
        <button
          key={item.label}
          role="menuitem"
          disabled={item.disabled}
          onClick={() => {
            close();
            item.act();
          }}
        >
          {item.label}
        </button>
      ))}
    </div>
  );
}
