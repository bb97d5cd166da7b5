import { provenanceOf, provenanceText } from '../src/view/valueProvenance';

describe('value provenance', () => {
  it('reads the two sources and the changed flag', () => {
    expect(
      provenanceOf({ value_source: 'recorded', changed_since_recorded: true })
    ).toEqual({ source: 'recorded', changedSinceRecorded: true });
    expect(provenanceOf({ value_source: 'current' })).toEqual({
      source: 'current',
      changedSinceRecorded: null
    });
  });

  it('ignores what an older or odd kernel sends', () => {
    expect(provenanceOf({ value_source: 'later' })).toEqual({
      source: null,
      changedSinceRecorded: null
    });
    expect(provenanceOf(null).source).toBeNull();
    expect(provenanceText(provenanceOf({}))).toBeNull();
  });

  it('says when a value was taken', () => {
    expect(
      provenanceText({ source: 'recorded', changedSinceRecorded: null })
    ).toMatch(/recorded/);
    expect(
      provenanceText({ source: 'current', changedSinceRecorded: null })
    ).toMatch(/current/);
  });
});
