import { describe, expect, it } from 'vitest';

import {
  addTerminal,
  numberTerminals,
  readTerminalNumbers,
  removeTerminal,
  writeTerminalNumbers,
  type NumberStorage,
} from './terminal-numbers';

function memoryStorage(): NumberStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  };
}

describe('terminal numbers', () => {
  it('keeps a terminal its number when another closes, and does not reuse the closed one', () => {
    let numbers = numberTerminals(undefined, []);
    for (const id of ['a', 'b', 'c']) numbers = addTerminal(numbers, id);
    expect(numbers.byId).toEqual({ a: 1, b: 2, c: 3 });
    numbers = removeTerminal(numbers, 'b');
    expect(numbers.byId).toEqual({ a: 1, c: 3 });
    numbers = addTerminal(numbers, 'd');
    expect(numbers.byId).toEqual({ a: 1, c: 3, d: 4 });
  });

  it('keeps the numbers across a reload, through storage', () => {
    const storage = memoryStorage();
    let numbers = numberTerminals(undefined, ['a', 'b', 'c']);
    numbers = removeTerminal(numbers, 'b');
    writeTerminalNumbers(storage, 'session0001', numbers);
    // The reload: the worker lists what is left, in the order the terminals were made.
    const again = numberTerminals(readTerminalNumbers(storage, 'session0001'), ['a', 'c']);
    expect(again.byId).toEqual({ a: 1, c: 3 });
    expect(addTerminal(again, 'd').byId.d).toBe(4);
    // Another session's numbers are its own.
    expect(readTerminalNumbers(storage, 'session0002')).toBeUndefined();
  });

  it('numbers terminals it does not know after the known ones, in the order they were made', () => {
    const known = { next: 4, byId: { a: 1, c: 3, gone: 2 } };
    expect(numberTerminals(known, ['x', 'a', 'c', 'y'])).toEqual({
      next: 6,
      byId: { a: 1, c: 3, x: 4, y: 5 },
    });
    // Nothing kept (another browser): 1, 2, … in order.
    expect(numberTerminals(undefined, ['x', 'y']).byId).toEqual({ x: 1, y: 2 });
    // Only stale numbers kept: they mean nothing now, numbering starts again.
    expect(numberTerminals(known, ['x']).byId).toEqual({ x: 1 });
  });

  it('starts again at 1 once the last terminal is closed, and forgets the session then', () => {
    const storage = memoryStorage();
    let numbers = addTerminal(addTerminal(numberTerminals(undefined, []), 'a'), 'b');
    writeTerminalNumbers(storage, 'session0001', numbers);
    numbers = removeTerminal(removeTerminal(numbers, 'a'), 'b');
    expect(numbers).toEqual({ next: 1, byId: {} });
    writeTerminalNumbers(storage, 'session0001', numbers);
    expect(storage.map.size).toBe(0);
  });

  it('reads an unreadable entry as nothing kept, and survives a storage that refuses', () => {
    const storage = memoryStorage();
    storage.map.set('grove:terminals:session0001', '{"next":"x"}');
    expect(readTerminalNumbers(storage, 'session0001')).toBeUndefined();
    expect(readTerminalNumbers(undefined, 'session0001')).toBeUndefined();
    const refusing: NumberStorage = {
      ...storage,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(() => writeTerminalNumbers(refusing, 's', { next: 2, byId: { a: 1 } })).not.toThrow();
  });
});
