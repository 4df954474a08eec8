/**
 * The tail of a terminal's output, addressed by absolute byte offset (`seq`): byte i of the
 * terminal's whole output lives at offset i. Keeps at most `capacity` bytes; older bytes are
 * gone and `since()` says so. Chunks are kept as they came (no copying on append) and dropped
 * from the front as the total passes capacity.
 */
export class OutputBuffer {
  readonly capacity: number;
  #chunks: Buffer[] = [];
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
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    while (this.#bytes > this.capacity && this.#chunks.length > 0) {
      const first = this.#chunks[0]!;
      const excess = this.#bytes - this.capacity;
      if (first.length <= excess) {
        this.#chunks.shift();
        this.#bytes -= first.length;
        this.#start += first.length;
      } else {
        this.#chunks[0] = first.subarray(excess);
        this.#bytes -= excess;
        this.#start += excess;
      }
    }
  }

  /**
   * Bytes from `seq` to the end. When `seq` is older than what is kept, returns what is kept
   * with `lost` = how many requested bytes are gone.
   */
  since(seq: number): { data: Buffer; from: number; lost: number } {
    const from = Math.max(seq, this.#start);
    const lost = Math.max(0, this.#start - seq);
    if (from >= this.end) return { data: Buffer.alloc(0), from: this.end, lost };
    let skip = from - this.#start;
    const parts: Buffer[] = [];
    for (const chunk of this.#chunks) {
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      parts.push(skip > 0 ? chunk.subarray(skip) : chunk);
      skip = 0;
    }
    return { data: Buffer.concat(parts), from, lost };
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
