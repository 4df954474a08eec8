import { describe, expect, it } from 'vitest';

import { OutputBuffer, skipPartialCharacter, utf8BoundaryLength } from './output-buffer';

describe('OutputBuffer', () => {
  it('serves exactly the bytes after a seq, and says how many are gone', () => {
    const buffer = new OutputBuffer(10);
    buffer.append(Buffer.from('hello'));
    buffer.append(Buffer.from('world!'));
    expect(buffer.end).toBe(11);
    expect(buffer.start).toBe(1);
    expect(buffer.since(6).data.toString()).toBe('orld!');
    expect(buffer.since(11).data.length).toBe(0);
    const old = buffer.since(0);
    expect(old.data.toString()).toBe('elloworld!');
    expect(old.lost).toBe(1);
  });

  it('keeps at most its capacity however the chunks fall', () => {
    const buffer = new OutputBuffer(1000);
    let all = '';
    for (let i = 0; i < 5000; i++) {
      const piece = `${i},`;
      all += piece;
      buffer.append(Buffer.from(piece));
      expect(buffer.size).toBeLessThanOrEqual(1000);
    }
    expect(buffer.since(0).data.toString()).toBe(all.slice(-1000));
    expect(buffer.since(all.length - 7).data.toString()).toBe(all.slice(-7));
  });

  it('wraps, grows and drops like a plain string would, for any chunk sizes', () => {
    const capacity = 10_000;
    const buffer = new OutputBuffer(capacity);
    let all = '';
    let n = 0;
    // Deterministic sizes from tiny to over capacity, so the ring grows, wraps and is overrun.
    for (let i = 0; i < 400; i++) {
      const size = ((i * 7919) % 1500) + (i % 97 === 0 ? 12_000 : 0);
      let piece = '';
      while (piece.length < size) piece += `${n++};`;
      piece = piece.slice(0, size);
      all += piece;
      buffer.append(Buffer.from(piece));
      expect(buffer.end).toBe(all.length);
      expect(buffer.size).toBe(Math.min(capacity, all.length));
      const from = all.length - Math.min(buffer.size, (i * 31) % 3000);
      expect(buffer.since(from).data.toString()).toBe(all.slice(from));
    }
    expect(buffer.since(0).data.toString()).toBe(all.slice(-capacity));
    expect(buffer.since(0).lost).toBe(all.length - capacity);
  });

  it('hands out copies, unchanged by later output', () => {
    const buffer = new OutputBuffer(8);
    buffer.append(Buffer.from('abcdefgh'));
    const before = buffer.since(0).data;
    buffer.append(Buffer.from('12345678'));
    expect(before.toString()).toBe('abcdefgh');
    expect(buffer.since(0).data.toString()).toBe('12345678');
  });

  it('can start at a seq carried over from a previous shell', () => {
    const buffer = new OutputBuffer(100, 500);
    buffer.append(Buffer.from('abc'));
    expect(buffer.end).toBe(503);
    expect(buffer.since(501).data.toString()).toBe('bc');
  });
});

describe('utf-8 boundaries', () => {
  it('never splits a character', () => {
    const euro = Buffer.from('a€'); // 61 e2 82 ac
    expect(utf8BoundaryLength(euro)).toBe(4);
    expect(utf8BoundaryLength(euro.subarray(0, 3))).toBe(1);
    expect(utf8BoundaryLength(euro.subarray(0, 2))).toBe(1);
    const emoji = Buffer.from('😀'); // 4 bytes
    expect(utf8BoundaryLength(emoji.subarray(0, 3))).toBe(0);
    expect(utf8BoundaryLength(emoji)).toBe(4);
    expect(skipPartialCharacter(euro.subarray(2))).toBe(2);
    expect(skipPartialCharacter(Buffer.from('x'))).toBe(0);
  });
});
