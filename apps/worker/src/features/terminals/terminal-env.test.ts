import { describe, expect, it } from 'vitest';

import { buildTerminalEnv } from './terminal-env';

describe('buildTerminalEnv', () => {
  it('passes only allowlisted variables and never a secret', () => {
    const env = buildTerminalEnv(
      { sessionId: 's1', terminalId: 't1', worktree: '/w' },
      {
        PATH: '/bin',
        HOME: '/home/u',
        WORKER_SECRET: 'x',
        ANTHROPIC_API_KEY: 'y',
        GITHUB_TOKEN: 'z',
        SUPABASE_SERVICE_ROLE_KEY: 'k',
        ENCRYPTION_KEY: 'e',
        GROVE_ACCESS_TOKEN: 'a',
      },
    );
    expect(env).toEqual({
      PATH: '/bin',
      HOME: '/home/u',
      LANG: 'C.UTF-8',
      TERM: 'xterm-256color',
      COLORTERM: 'truecolor',
      GROVE_SESSION_ID: 's1',
      GROVE_TERMINAL_ID: 't1',
      GROVE_WORKTREE: '/w',
    });
  });
});
