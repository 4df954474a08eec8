import { setFlagsFromString } from 'node:v8';

import { afterAll, describe, expect, it } from 'vitest';

import { applyWorkerV8Flags } from './v8-flags';

/** A small deterministic PRNG (mulberry32): the same corpus on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the worker stringifies: terminal frames of every kind of output, and other shapes. */
function corpus(): unknown[] {
  const next = random(7);
  const bytes = (n: number, max = 256) =>
    Buffer.from(Array.from({ length: n }, () => Math.floor(next() * max)));
  const ansi = '\x1b[01;34mdir\x1b[0m  "quoted"  back\\slash\ttab\x07\b\r\n';
  const texts = [
    '',
    ansi.repeat(900),
    Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('') + '\x7f"\\/',
    'wide: 漢字 ✓ 😀 \u2028\u2029 \ufeff',
    '\ud800 lone \udfff surrogates',
    Buffer.alloc(24_000, 'a')
      .toString('base64')
      .replace(/(.{76})/g, '$1\r\n'),
  ];
  // Random bytes decoded as the worker decodes PTY output (invalid UTF-8 becomes U+FFFD).
  for (let i = 0; i < 40; i++) texts.push(bytes(1 + Math.floor(next() * 40_000)).toString('utf8'));
  for (let i = 0; i < 40; i++) texts.push(bytes(1 + Math.floor(next() * 4_000), 128).toString());
  return [
    ...texts.map((data, seq) => ({ type: 'output', data, seq: seq * 32_768 })),
    { type: 'connected', terminalId: 't_1', seq: 0 },
    { type: 'exit', exitCode: -1 },
    { type: 'error', code: 'frame_too_large', message: 'Frames are limited to 1048576 bytes' },
    { a: [1, -0, 1e21, 1.5e-7, Number.NaN, Infinity, null, undefined, true], b: { c: undefined } },
    { nested: { deep: [[{ x: 'y' }]] }, date: new Date(0), list: [] },
  ];
}

describe('worker V8 flags', () => {
  afterAll(() => setFlagsFromString('--no-json-stringify-fast-path'));

  it('JSON.stringify writes the same bytes with the fast path as without', () => {
    const values = corpus();
    setFlagsFromString('--no-json-stringify-fast-path');
    const before = values.map((value) => JSON.stringify(value));
    applyWorkerV8Flags();
    const after = values.map((value) => JSON.stringify(value));
    expect(after).toHaveLength(values.length);
    for (let i = 0; i < values.length; i++) expect(after[i], `value ${i}`).toBe(before[i]);
  });
});
