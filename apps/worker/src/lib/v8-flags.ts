import { setFlagsFromString } from 'node:v8';

/**
 * V8 options the worker sets for itself at start, so that every way of launching it (start
 * script, `pnpm start`, a service manager, the browser tests) runs the same engine.
 *
 * `--json-stringify-fast-path`: V8's rewritten JSON.stringify, on by default from V8 13.8
 * (Node 25); Node 24's V8 13.6 has it behind this flag. Every terminal output frame is one
 * JSON.stringify of up to 32 KiB of text: 44 → 10 µs per frame of flood output on this machine,
 * a tenth of the worker's CPU per MB of terminal output (bench/terminal.bench.ts). The bytes
 * it writes are the same (v8-flags.test.ts). The flag is read on every call, so setting it
 * after start is enough.
 */
export const WORKER_V8_FLAGS = ['--json-stringify-fast-path'] as const;

export function applyWorkerV8Flags(): void {
  for (const flag of WORKER_V8_FLAGS) setFlagsFromString(flag);
}
