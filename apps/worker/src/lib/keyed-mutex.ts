/**
 * One async lock per key (a repository, here). Callers for the same key run strictly one
 * after another in arrival order; different keys never wait on each other. The tail promise
 * per key is dropped once nothing waits on it, so the map does not grow with history.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** Keys with a holder or waiters right now. */
  get busyKeys(): number {
    return this.#tails.size;
  }
}
