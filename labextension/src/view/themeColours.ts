/**
 * Resolve theme colours (CSS variables) to concrete rgb values, for canvas
 * drawing and SVG export, which cannot use CSS variables.
 */

/** The computed colour of a CSS colour expression, evaluated inside `host`. */
export function resolveColour(host: Element, expression: string): string {
  const probe = document.createElement('span');
  probe.style.display = 'none';
  probe.style.color = expression;
  host.appendChild(probe);
  const colour = getComputedStyle(probe).color;
  probe.remove();
  return colour;
}

/** Theme colours resolved so far, by expression, for the theme named in `cachedTheme`. */
const cache = new Map<string, string>();
let cachedTheme: string | undefined;

/**
 * resolveColour, remembered until JupyterLab's theme changes (the body's
 * data-jp-theme-name, set once the theme's CSS is in): resolving forces a
 * style recalculation, too slow for every debugger step. For expressions
 * that depend only on the theme, not on where they are evaluated; one read
 * off a host outside the page (no styles) is not kept.
 */
export function themeColour(host: Element, expression: string): string {
  const theme = document.body.dataset.jpThemeName ?? '';
  if (theme !== cachedTheme) {
    cache.clear();
    cachedTheme = theme;
  }
  let colour = cache.get(expression);
  if (colour === undefined) {
    colour = resolveColour(host, expression);
    if (host.isConnected) {
      cache.set(expression, colour);
    }
  }
  return colour;
}

/** Parse `rgb(r, g, b)` / `rgba(...)` / `color(srgb r g b)` into 0..255 channels. */
export function parseRgb(colour: string): [number, number, number] {
  const srgb = /color\(srgb\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/.exec(colour);
  if (srgb) {
    return [1, 2, 3].map(i => Math.round(Number(srgb[i]) * 255)) as [
      number,
      number,
      number
    ];
  }
  const nums = colour.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0];
  return [nums[0] ?? 0, nums[1] ?? 0, nums[2] ?? 0];
}
