import { describe, expect, it } from 'vitest';

import { SseParser } from './sse-parser';

describe('SseParser', () => {
  it('reads id, data and comments, in chunks split anywhere', () => {
    const text =
      ': ping\n\nid: 1\ndata: {"type":"run"}\n\n: ping\nid: 2\ndata: {"a":\ndata: 1}\n\n';
    for (let cut = 0; cut <= text.length; cut += 1) {
      const parser = new SseParser();
      const events = [...parser.feed(text.slice(0, cut)), ...parser.feed(text.slice(cut))];
      expect(events).toEqual([
        { id: '1', event: 'message', data: '{"type":"run"}' },
        { id: '2', event: 'message', data: '{"a":\n1}' },
      ]);
    }
  });

  it('handles CRLF and CR line ends, including a CRLF split between chunks', () => {
    const parser = new SseParser();
    const events = [
      ...parser.feed('id: 7\r'),
      ...parser.feed('\ndata: x\r\n\r'),
      ...parser.feed('\nid: 8\rdata: y\r\r'),
    ];
    expect(events).toEqual([
      { id: '7', event: 'message', data: 'x' },
      { id: '8', event: 'message', data: 'y' },
    ]);
  });

  it('does not emit events without data, and keeps a partial event until its blank line', () => {
    const parser = new SseParser();
    expect(parser.feed('id: 3\n\n')).toEqual([]);
    expect(parser.feed('event: usage\ndata: 1')).toEqual([]);
    expect(parser.feed('\n\n')).toEqual([{ id: undefined, event: 'usage', data: '1' }]);
  });
});
