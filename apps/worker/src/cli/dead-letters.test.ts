import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { makeTempDir } from '@grove/testkit';
import { afterEach, describe, expect, it } from 'vitest';

import { openDatabase } from '../db/database';
import { appendOutbox } from '../db/outbox';
import { SyncStore } from '../features/sync/sync-store';
import { parseCommand, runCommand } from './dead-letters';

const temps: ReturnType<typeof makeTempDir>[] = [];
afterEach(() => temps.splice(0).forEach((temp) => temp.cleanup()));

/** A data dir whose outbox holds three entries, the 1st and 3rd of them dead letters. */
function dataDirWithDeadLetters(): string {
  const temp = makeTempDir('grove-dead-letters-');
  temps.push(temp);
  const db = openDatabase(temp.dir);
  const store = new SyncStore(db);
  for (const id of ['a', 'b', 'c'])
    appendOutbox(db, { entity: 'session', entityId: id, op: 'upsert', version: 1, payload: {} });
  for (const id of [1, 3]) {
    for (let i = 0; i < 5; i++) store.recordAttempt(id, `refused ${id}: 23514 check violation`);
    store.deadLetter(id, new Date().toISOString());
  }
  db.close();
  return temp.dir;
}

function pendingIds(dataDir: string): number[] {
  const db = openDatabase(dataDir);
  try {
    return new SyncStore(db).pending(100).map((entry) => entry.id);
  } finally {
    db.close();
  }
}

describe('dead-letters CLI (real SQLite)', () => {
  it('lists dead letters with their last refusal and attempts', () => {
    const dataDir = dataDirWithDeadLetters();
    const { deadLetters } = runCommand(dataDir, { command: 'list' }) as {
      deadLetters: { id: number; entityId: string; attempts: number; lastError: string }[];
    };
    expect(deadLetters.map((d) => [d.id, d.entityId, d.attempts])).toEqual([
      [1, 'a', 5],
      [3, 'c', 5],
    ]);
    expect(deadLetters[0]!.lastError).toContain('check violation');
    expect(pendingIds(dataDir)).toEqual([2]);
  });

  it('puts chosen dead letters back in the queue with a fresh count, then all of them', () => {
    const dataDir = dataDirWithDeadLetters();
    expect(runCommand(dataDir, { command: 'replay', all: undefined, ids: [3, 2, 99] })).toEqual({
      replayed: 1,
      remaining: 1,
    });
    expect(pendingIds(dataDir)).toEqual([2, 3]);
    expect(runCommand(dataDir, { command: 'replay', all: true, ids: undefined })).toEqual({
      replayed: 1,
      remaining: 0,
    });
    expect(pendingIds(dataDir)).toEqual([1, 2, 3]);
    const db = openDatabase(dataDir);
    const attempts = db.prepare('SELECT attempts FROM outbox WHERE id = 1').pluck().get();
    db.close();
    expect(attempts).toBe(0);
  });

  it('refuses unclear commands rather than guessing', () => {
    expect(parseCommand([])).toEqual({ command: 'list' });
    expect(parseCommand(['replay', '--id', '4', '--id', '7'])).toMatchObject({ ids: [4, 7] });
    for (const argv of [
      ['replay'],
      ['replay', '--all', '--id', '3'],
      ['replay', '--id', 'x'],
      ['replay', '--id', '-1'],
      ['drop'],
      ['list', 'extra'],
    ])
      expect(() => parseCommand(argv), argv.join(' ')).toThrow(/usage/);
  });

  it('runs as the built script against GROVE_DATA_DIR', () => {
    const script = path.resolve(import.meta.dirname, '../../dist/dead-letters.js');
    const dataDir = dataDirWithDeadLetters();
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [script, ...args], {
        env: { PATH: process.env.PATH, GROVE_DATA_DIR: dataDir },
        encoding: 'utf8',
      });
    const listed = run();
    expect(listed.status).toBe(0);
    expect((JSON.parse(listed.stdout) as { deadLetters: unknown[] }).deadLetters).toHaveLength(2);
    const replayed = run('replay', '--all');
    expect(JSON.parse(replayed.stdout)).toEqual({ replayed: 2, remaining: 0 });
    const refused = run('replay');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/usage/);
  });
});
