/**
 * Whether the canvas takes the mouse wheel: only while the pane has the focus (was
 * clicked) or ⌘ is held, as JupyterLab's other canvases; otherwise the wheel scrolls
 * the notebook. Ctrl+wheel always zooms (React Flow's pinch zoom).
 */
import { useEffect, useState } from 'react';

export function useWheelCapture(
  rootRef: React.RefObject<HTMLDivElement>
): boolean {
  const [focused, setFocused] = useState(false);
  const [metaHeld, setMetaHeld] = useState(false);
  useEffect(() => {
    const root = rootRef.current;
    if (!root) {
      return;
    }
    const onFocusIn = (): void => setFocused(true);
    const onFocusOut = (e: FocusEvent): void =>
      setFocused(root.contains(e.relatedTarget as Node | null));
    const onKey = (e: KeyboardEvent): void => setMetaHeld(e.metaKey);
    const onBlur = (): void => setMetaHeld(false);
    root.addEventListener('focusin', onFocusIn);
    root.addEventListener('focusout', onFocusOut);
    window.addEventListener('keydown', onKey);
    window.addEventListener('keyup', onKey);
    window.addEventListener('blur', onBlur);
    return () => {
      root.removeEventListener('focusin', onFocusIn);
      root.removeEventListener('focusout', onFocusOut);
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('keyup', onKey);
      window.removeEventListener('blur', onBlur);
    };
  }, [rootRef]);
  return focused || metaHeld;
}
