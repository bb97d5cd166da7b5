import {
  executionCountOf,
  findCellIndex,
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
});
