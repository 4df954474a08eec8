/**
 * Dead letters of the Supabase sync, for operators: list them (with Supabase's last refusal),
 * and once the cause is fixed (a column, a constraint, a bad value) put them back in the queue.
 * Works next to a running worker (SQLite in WAL mode); the worker sends replayed entries on its
 * next pass.
 *
 *   pnpm --filter @grove/worker dead-letters                 list (JSON)
 *   pnpm --filter @grove/worker dead-letters replay --all    put every dead letter back
 *   pnpm --filter @grove/worker dead-letters replay --id 7 --id 9
 */
import { parseArgs } from 'node:util';

import { findRepoRoot, resolveDataDir } from '@grove/config';
import { z } from 'zod';

import { openDatabase } from '../db/database';
import { SyncStore } from '../features/sync/sync-store';

const USAGE = 'usage: dead-letters [list] | dead-letters replay (--all | --id <n> [--id <n>…])';

const commandSchema = z.union([
  z.object({ command: z.literal('list') }),
  z.object({ command: z.literal('replay'), all: z.literal(true), ids: z.undefined() }),
  z.object({
    command: z.literal('replay'),
    all: z.undefined(),
    ids: z.array(z.coerce.number().int().positive()).min(1),
  }),
]);
export type DeadLetterCommand = z.infer<typeof commandSchema>;

function readArgs(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { all: { type: 'boolean' }, id: { type: 'string', multiple: true } },
  });
}

/** Parses argv (after the script) into a command, or throws with the usage line. */
export function parseCommand(argv: readonly string[]): DeadLetterCommand {
  let args: ReturnType<typeof readArgs>;
  try {
    args = readArgs(argv);
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`, {
      cause: error,
    });
  }
  const { positionals, values } = args;
  const parsed = commandSchema.safeParse({
    command: positionals[0] ?? 'list',
    all: values.all,
    ids: values.id,
  });
  if (!parsed.success || positionals.length > 1) throw new Error(USAGE);
  return parsed.data;
}

/** Runs one command against the data dir's database; returns what to print. */
export function runCommand(dataDir: string, command: DeadLetterCommand): unknown {
  const db = openDatabase(dataDir);
  try {
    const store = new SyncStore(db);
    if (command.command === 'list') return { deadLetters: store.deadLetters() };
    const replayed = store.replayDeadLetters(command.all ? undefined : command.ids);
    return { replayed, remaining: store.deadLetterCount() };
  } finally {
    db.close();
  }
}

function main(): void {
  try {
    const command = parseCommand(process.argv.slice(2));
    // A relative GROVE_DATA_DIR is taken from the repo root, as scripts/start.mjs does.
    const dataDir = resolveDataDir(process.env.GROVE_DATA_DIR, findRepoRoot() ?? process.cwd());
    const result = runCommand(dataDir, command);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
