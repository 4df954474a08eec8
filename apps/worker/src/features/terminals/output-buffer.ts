/** The ring starts this small and doubles as output arrives, up to its capacity. */
const INITIAL_RING_BYTES = 4 * 1024;

/**
 * The tail of a terminal's output, addressed by absolute byte offset (`seq`): byte i of the
 * terminal's whole output lives at offset i. Keeps at most `capacity` bytes; older bytes are
 * gone and `since()` says so.
 *
 * The bytes live in one ring (a single Buffer, grown by doubling until it reaches capacity)
 * rather than as the chunks they came in. Measured under a flood: a few MB of retained chunks
 * outlive the young generation, so V8 promoted every one and ran a full mark-sweep several
 * times a second (50 in 13 s) to free them, its marking threads taking cores from the shell
 * being read; with the ring, output costs one copy and leaves no garbage behind.
 */
export class OutputBuffer {
  readonly capacity: number;
  #ring: Buffer = Buffer.alloc(0);
  /** Ring index where the next byte goes; kept bytes end just before it. */
  #head = 0;
  #bytes = 0;
  /** Offset of the first byte still kept. */
  #start: number;

  constructor(capacity: number, startSeq = 0) {
    this.capacity = capacity;
    this.#start = startSeq;
  }

  /** Offset just past the last byte appended: the terminal's total output so far. */
  get end(): number {
    return this.#start + this.#bytes;
  }

  get start(): number {
    return this.#start;
  }

  get size(): number {
    return this.#bytes;
  }

  append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const end = this.end + chunk.length;
    const wanted = Math.min(this.capacity, this.#bytes + chunk.length);
    if (this.#ring.length < wanted) this.#grow(wanted);
    const ring = this.#ring;
    // Only the last ring-full of a huge chunk can be kept.
    const data = chunk.length > ring.length ? chunk.subarray(chunk.length - ring.length) : chunk;
    const first = Math.min(data.length, ring.length - this.#head);
    data.copy(ring, this.#head, 0, first);
    if (first < data.length) data.copy(ring, 0, first);
    this.#head = (this.#head + data.length) % ring.length;
    this.#bytes = Math.min(ring.length, this.#bytes + chunk.length);
    this.#start = end - this.#bytes;
  }

  /**
   * A copy of the bytes from `seq` to the end. When `seq` is older than what is kept, returns
   * what is kept with `lost` = how many requested bytes are gone.
   */
  since(seq: number): { data: Buffer; from: number; lost: number } {
    const from = Math.max(seq, this.#start);
    const lost = Math.max(0, this.#start - seq);
    if (from >= this.end) return { data: Buffer.alloc(0), from: this.end, lost };
    return { data: this.#copyOut(this.end - from), from, lost };
  }

  /** The last `length` kept bytes, in order, in a new Buffer. */
  #copyOut(length: number): Buffer {
    const ring = this.#ring;
    const out = Buffer.allocUnsafe(length);
    const begin = (this.#head - length + ring.length) % ring.length;
    const first = Math.min(length, ring.length - begin);
    ring.copy(out, 0, begin, begin + first);
    if (first < length) ring.copy(out, first, 0, length - first);
    return out;
  }

  #grow(atLeast: number): void {
    let size = Math.max(this.#ring.length, INITIAL_RING_BYTES);
    while (size < atLeast) size *= 2;
    const ring = Buffer.allocUnsafeSlow(Math.min(size, this.capacity));
    if (this.#bytes > 0) this.#copyOut(this.#bytes).copy(ring, 0);
    this.#ring = ring;
    this.#head = this.#bytes % ring.length;
  }
}

/**
 * Length of the longest prefix of `data` that ends on a UTF-8 character boundary, so output
 * frames (JSON strings) never split a character and `seq` values stay on boundaries.
 */
export function utf8BoundaryLength(data: Buffer): number {
  const n = data.length;
  // Look back at most 3 bytes for the start of a multi-byte character.
  for (let back = 1; back <= Math.min(3, n); back++) {
    const byte = data[n - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte
    if (byte < 0x80) return n; // ASCII: complete
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
    return back >= needed ? n : n - back;
  }
  return n;
}

/** Skips continuation bytes at the front (a replay that starts mid-character). */
export function skipPartialCharacter(data: Buffer): number {
  let i = 0;
  while (i < data.length && i < 3 && (data[i]! & 0xc0) === 0x80) i++;
  return i;
}
