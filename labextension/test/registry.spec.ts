import { ViewerRegistry } from '../src/registry';
import { MODULE_NAME, MODULE_VERSION } from '../src/version';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../package.json') as { name: string; version: string };

describe('viewer registry', () => {
  it('fits every live viewer', () => {
    const r = new ViewerRegistry();
    const a = { fit: jest.fn() };
    const b = { fit: jest.fn() };
    r.add(a);
    r.add(b);
    r.delete(b);
    expect(r.fitAll()).toBe(1);
    expect(a.fit).toHaveBeenCalledTimes(1);
    expect(b.fit).not.toHaveBeenCalled();
  });
});

describe('widget module identity', () => {
  it('equals the npm package name and version', () => {
    expect(MODULE_NAME).toBe(pkg.name);
    expect(MODULE_VERSION).toBe(pkg.version);
  });
});
