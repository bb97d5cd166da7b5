import { buildGraphModel } from '../src/model/graphModel';
import { buildScopeTree } from '../src/model/scopeTree';
import {
  DEFAULT_SETTINGS,
  initialDepth,
  initialExpanded,
  readSettings,
  resolveDirection
} from '../src/model/settings';
import { transformerPayload } from './synthetic';

describe('viewer settings', () => {
  it('reads the settings registry values, keeping defaults for bad ones', () => {
    expect(readSettings({ direction: 'DOWN', collapseDepth: 2 })).toEqual({
      ...DEFAULT_SETTINGS,
      direction: 'DOWN',
      collapseDepth: 2
    });
    expect(readSettings({ direction: 'UP', collapseDepth: 1.5 })).toEqual(
      DEFAULT_SETTINGS
    );
    expect(readSettings(null)).toEqual(DEFAULT_SETTINGS);
  });

  it('lets a direction the widget chose win over the setting', () => {
    const down = { ...DEFAULT_SETTINGS, direction: 'DOWN' as const };
    const right = { ...DEFAULT_SETTINGS, direction: 'RIGHT' as const };
    expect(resolveDirection('RIGHT', down)).toBe('RIGHT');
    expect(resolveDirection('DOWN', right)).toBe('DOWN');
  });

  it('uses the setting when the widget chose no direction', () => {
    const down = { ...DEFAULT_SETTINGS, direction: 'DOWN' as const };
    expect(resolveDirection('', down)).toBe('DOWN');
    expect(resolveDirection(null, down)).toBe('DOWN');
    expect(resolveDirection(undefined, DEFAULT_SETTINGS)).toBe('RIGHT');
    expect(resolveDirection('sideways', DEFAULT_SETTINGS)).toBe('RIGHT');
  });

  it('opens groups down to the configured collapse depth', () => {
    const tree = buildScopeTree(buildGraphModel(transformerPayload(3, 4)));
    expect(tree.maxDepth).toBeGreaterThanOrEqual(3);
    for (const depth of [0, 1, 2]) {
      const settings = { ...DEFAULT_SETTINGS, collapseDepth: depth };
      expect(initialDepth(tree, settings)).toBe(depth);
      const open = initialExpanded(tree, settings);
      const depths = [...open].map(p => tree.groups.get(p)?.depth ?? -1);
      expect(depths.every(d => d >= 1 && d <= depth)).toBe(true);
      // Every group of depth 1..depth is open.
      const want = [...tree.groups.values()].filter(
        g => g.depth >= 1 && g.depth <= depth
      );
      expect(open.size).toBe(want.length);
    }
  });

  it('picks the depth from maxVisible when the setting is automatic', () => {
    const tree = buildScopeTree(buildGraphModel(transformerPayload(3, 4)));
    const few = initialDepth(tree, { ...DEFAULT_SETTINGS, maxVisible: 10 });
    const many = initialDepth(tree, { ...DEFAULT_SETTINGS, maxVisible: 10000 });
    expect(few).toBeLessThan(many);
    expect(many).toBe(tree.maxDepth);
  });
});
