import { themeColour } from '../src/view/themeColours';

/** Just enough of a page for resolveColour: a body with a theme name, probe spans, computed styles. */
function fakePage(colourOf: (expr: string) => string): {
  body: { dataset: Record<string, string> };
  reads: string[];
} {
  const body = { dataset: {} as Record<string, string> };
  const reads: string[] = [];
  const g = globalThis as Record<string, unknown>;
  g.document = {
    body,
    createElement: () => ({
      style: {} as Record<string, string>,
      remove: () => undefined
    })
  };
  g.getComputedStyle = (probe: { style: { color: string } }) => {
    reads.push(probe.style.color);
    return { color: colourOf(probe.style.color) };
  };
  return { body, reads };
}

const attached = {
  isConnected: true,
  appendChild: () => undefined
} as unknown as Element;
const detached = {
  isConnected: false,
  appendChild: () => undefined
} as unknown as Element;

describe('themeColour', () => {
  it('resolves a colour once per theme, again after the theme changes', () => {
    let dark = false;
    const page = fakePage(e =>
      dark ? `rgb(1, 1, 1) ${e}` : `rgb(9, 9, 9) ${e}`
    );
    page.body.dataset.jpThemeName = 'JupyterLab Light';
    expect(themeColour(attached, 'var(--a)')).toBe('rgb(9, 9, 9) var(--a)');
    expect(themeColour(attached, 'var(--a)')).toBe('rgb(9, 9, 9) var(--a)');
    expect(themeColour(attached, 'var(--b)')).toBe('rgb(9, 9, 9) var(--b)');
    expect(page.reads).toEqual(['var(--a)', 'var(--b)']);
    dark = true;
    page.body.dataset.jpThemeName = 'JupyterLab Dark';
    expect(themeColour(attached, 'var(--a)')).toBe('rgb(1, 1, 1) var(--a)');
    expect(page.reads).toEqual(['var(--a)', 'var(--b)', 'var(--a)']);
  });

  it('does not keep a colour read off a host outside the page', () => {
    const page = fakePage(() => 'rgb(5, 5, 5)');
    page.body.dataset.jpThemeName = 'Other';
    themeColour(detached, 'var(--c)');
    themeColour(detached, 'var(--c)');
    expect(page.reads).toEqual(['var(--c)', 'var(--c)']);
  });
});
