import {
  executionCountOf,
  findCellIndex,
  safeServerPath,
  serverRelativePath
} from '../src/model/sourceLink';

function cell(type: string, executionCount: number | null, id: string) {
  return { model: { type, executionCount, id } };
}

describe('source links', () => {
  it('reads the execution count of an In[N] cell', () => {
    expect(executionCountOf('In[5]')).toBe(5);
    expect(executionCountOf('In [12]')).toBe(12);
    expect(executionCountOf('a1b2-cell-id')).toBeNull();
    expect(executionCountOf(null)).toBeNull();
  });

  it('finds the code cell with that execution count', () => {
    const cells = [
      cell('markdown', null, 'm'),
      cell('code', 1, 'c1'),
      cell('code', 3, 'c3'),
      cell('code', 2, 'c2')
    ];
    expect(findCellIndex(cells, 'In[2]')).toBe(3);
    expect(findCellIndex(cells, 'In[3]')).toBe(2);
    expect(findCellIndex(cells, 'In[7]')).toBe(-1);
    // A cell id (not an execution count) is matched by id.
    expect(findCellIndex(cells, 'c1')).toBe(1);
  });

  it('makes file paths relative to the server root', () => {
    expect(serverRelativePath('/srv/nb/lib/m.py', '/srv/nb')).toBe('lib/m.py');
    expect(serverRelativePath('/srv/nb/m.py', '/srv/nb/')).toBe('m.py');
    expect(serverRelativePath('C:\\nb\\m.py', 'C:\\nb')).toBe('m.py');
    expect(serverRelativePath('/elsewhere/m.py', '/srv/nb')).toBe(
      '/elsewhere/m.py'
    );
    expect(serverRelativePath('/srv/nbx/m.py', '/srv/nb')).toBe(
      '/srv/nbx/m.py'
    );
  });

  it('opens paths inside the server root', () => {
    const root = '/srv/nb';
    expect(safeServerPath('/srv/nb/lib/m.py', root)).toEqual({
      ok: true,
      path: 'lib/m.py'
    });
    expect(safeServerPath('lib/./m.py', root)).toEqual({
      ok: true,
      path: 'lib/m.py'
    });
    expect(safeServerPath('C:\\nb\\lib\\m.py', 'C:\\nb')).toEqual({
      ok: true,
      path: 'lib/m.py'
    });
    // A name that merely starts with dots is no way up.
    expect(safeServerPath('/srv/nb/..hidden/m.py', root)).toEqual({
      ok: true,
      path: '..hidden/m.py'
    });
  });

  it.each([
    ['an absolute path elsewhere', '/etc/passwd'],
    ['a sibling of the root', '/srv/nbx/m.py'],
    ['a Windows drive', 'D:\\secrets\\m.py'],
    ['a way up from inside the root', '/srv/nb/../../etc/passwd'],
    ['a relative way up', 'lib/../../etc/passwd'],
    ['a way up with backslashes', 'lib\\..\\..\\etc\\passwd'],
    ['percent-escaped dots', 'lib/%2e%2e/%2E%2E/etc/passwd'],
    ['an escaped separator', 'lib%2F..%2F..%2Fetc'],
    ['an escaped backslash', '..%5Cetc%5Cpasswd'],
    ['double escaping', '%252e%252e/etc/passwd'],
    ['a malformed escape', 'lib/%E0%A4%A/m.py'],
    ['a control character', 'lib/m\u0000.py'],
    ['an empty path', '']
  ])('refuses %s before asking the server', (_case, file) => {
    const safe = safeServerPath(file, '/srv/nb');
    expect(safe.ok).toBe(false);
    if (!safe.ok) {
      expect(safe.reason).toContain(JSON.stringify(file));
    }
  });
});
