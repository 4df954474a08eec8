import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
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
