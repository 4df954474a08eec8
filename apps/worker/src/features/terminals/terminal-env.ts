import { pickEnv } from '../../lib/env-allowlist';

/** Variables a terminal's shell inherits from the worker; secrets are never on this list. */
const INHERITED = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
] as const;

/**
 * The whole environment of a terminal's shell: an allowlist of the worker's own variables
 * plus the terminal's identity. No WORKER_SECRET, no ANTHROPIC_API_KEY, no GitHub token, no
 * Supabase keys — whatever the worker's environment holds.
 */
export function buildTerminalEnv(
  ids: { sessionId: string; terminalId: string; worktree: string },
  from: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env = pickEnv(INHERITED, from);
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  env.LANG ??= 'C.UTF-8';
  env.TERM = 'xterm-256color';
  env.COLORTERM = 'truecolor';
  env.GROVE_SESSION_ID = ids.sessionId;
  env.GROVE_TERMINAL_ID = ids.terminalId;
  env.GROVE_WORKTREE = ids.worktree;
  return env;
}
