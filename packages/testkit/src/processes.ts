import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

import { childEnv } from './child-env';

export interface StartedProcess {
  child: ChildProcess;
  pid: number;
  /** Every line the process printed so far (stdout and stderr). */
  output: string[];
  /** Sends `signal` to the process and waits for it to exit. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/**
 * Starts a process and resolves once a line matches `ready` (the match is returned).
 * Stopped by PID only — never by name.
 */
export async function startProcess(
  command: string,
  args: string[],
  options: {
    env: Record<string, string | undefined>;
    cwd?: string;
    ready: RegExp;
    timeoutMs?: number;
  },
): Promise<StartedProcess & { match: RegExpMatchArray }> {
  const child = spawn(command, args, {
    env: childEnv(options.env),
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Never leave a half-started process behind.
      child.kill('SIGKILL');
      reject(new Error(`${command} not ready in time:\n${output.join('\n')}`));
    }, options.timeoutMs ?? 30_000);
    const onLine = (line: string) => {
      output.push(line);
      const found = options.ready.exec(line);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code}) before ready:\n${output.join('\n')}`));
    });
  });
  return {
    child,
    pid: child.pid!,
    output,
    match,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code] = await exited;
      return code;
    },
  };
}

/** The PIDs whose parent is `pid`, as `ps` lists them now. */
export function childPidsOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

/** Alive, that is: not gone and not a zombie waiting to be reaped (Linux /proc). */
export function isProcessAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
