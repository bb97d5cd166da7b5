import { decodeKernelNotice, noticeText } from '../src/model/kernelNotices';

describe('kernel notices', () => {
  it('decodes an ErrorReply, with or without a readable request id', () => {
    expect(
      decodeKernelNotice({ kind: 'error', request_id: 4, error: 'bad node_id' })
    ).toEqual({ kind: 'error', requestId: 4, message: 'bad node_id' });
    const unreadable = decodeKernelNotice({
      kind: 'error',
      request_id: null,
      error: 'invalid InspectRequest at request_id'
    });
    expect(unreadable).toEqual({
      kind: 'error',
      requestId: null,
      message: 'invalid InspectRequest at request_id'
    });
    expect(noticeText(unreadable!)).toBe(
      'vizflow: the kernel could not answer: invalid InspectRequest at request_id'
    );
  });

  it('decodes a StateRejected into a line naming the kept traits', () => {
    const notice = decodeKernelNotice({
      kind: 'state_rejected',
      traits: ['graph'],
      error:
        'invalid CompactGraph at nodes/op/0: string index 9 is out of range'
    });
    expect(notice).toEqual({
      kind: 'state_rejected',
      traits: ['graph'],
      message:
        'invalid CompactGraph at nodes/op/0: string index 9 is out of range'
    });
    expect(noticeText(notice!)).toContain('kept the previous graph: invalid');
  });

  it('leaves other messages alone', () => {
    for (const content of [
      null,
      'error',
      { kind: 'inspect_reply', request_id: 1 },
      { kind: 'error', request_id: '1', error: 'x' },
      { kind: 'error', request_id: 1 },
      { kind: 'state_rejected', traits: [1], error: 'x' }
    ]) {
      expect(decodeKernelNotice(content)).toBeNull();
    }
  });
});
