import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

import type { SpawnedProcess, SpawnOptions } from '@anthropic-ai/claude-agent-sdk';

/** util-linux's setpriv, where Linux has it: it can tie a child's life to its parent's. */
const SETPRIV_PATHS = ['/usr/bin/setpriv', '/bin/setpriv'];

/** Most of the engine's stderr kept for the log when it fails. */
const STDERR_TAIL_BYTES = 8 * 1024;

/**
 * Starts the Claude Code process for the Agent SDK (its `spawnClaudeCodeProcess`), as the SDK
 * would, with one difference: on Linux it runs under `setpriv --pdeathsig KILL`, so the kernel
 * kills it the moment the worker dies. A worker that is SIGKILLed (or crashes) would otherwise
 * leave the agent running unsupervised in the user's worktree, with nobody to answer its
 * permission requests or store what it does; on restart the run is closed as interrupted, and
 * its process must be gone too. Elsewhere (no setpriv) it is a plain spawn.
 */
export function spawnEngineProcess(
  options: SpawnOptions,
  onStderr: (tail: string) => void = () => undefined,
): SpawnedProcess {
  const setpriv = SETPRIV_PATHS.find((candidate) => existsSync(candidate));
  const [command, args] = setpriv
    ? [setpriv, ['--pdeathsig', 'KILL', '--', options.command, ...options.args]]
    : [options.command, options.args];
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    // The SDK talks over stdin/stdout; stderr is read so a chatty engine never blocks on it.
    stdio: ['pipe', 'pipe', 'pipe'],
    // Forwarded by the SDK: it aborts only after stdin EOF and a grace period.
    ...(options.signal ? { signal: options.signal } : {}),
    windowsHide: true,
  });
  let tail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-STDERR_TAIL_BYTES);
  });
  child.on('exit', (code) => {
    if (code !== 0 && tail) onStderr(tail);
  });
  // An aborted spawn rejects through 'error'; the SDK listens for it too.
  child.on('error', () => undefined);
  return child;
}
