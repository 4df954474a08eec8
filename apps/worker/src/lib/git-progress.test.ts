import { describe, expect, it } from 'vitest';

import { buildGitEnv, isGitAuthFailure, progressStage, scrubGitMessage } from './git';

describe('progressStage', () => {
  it("names the remote's own progress lines as preparing, and keeps git's stages", () => {
    expect(progressStage('remote:')).toBe('preparing');
    for (const stage of ['counting', 'compressing', 'receiving', 'resolving'])
      expect(progressStage(stage)).toBe(stage);
  });
});

describe('scrubGitMessage', () => {
  it("drops the progress meter's lines (numbers that look like HTTP statuses) and keeps the error", () => {
    const stderr = [
      'Enumerating objects: 403, done.',
      'Counting objects:  50% (201/401)\rCounting objects: 100% (401/401), done.',
      'Writing objects: 100% (403/403), 1.20 MiB | 401.00 KiB/s, done.',
      'Total 403 (delta 401), reused 0 (delta 0), pack-reused 0',
      'remote: Resolving deltas: 100% (401/401), completed with 2 local objects.',
      'remote: Error: 403 forbidden',
      'To https://github.com/octo/app.git',
      ' ! [rejected]        session/x -> session/x (stale info)',
      "error: failed to push some refs to 'https://github.com/octo/app.git'",
    ].join('\n');
    expect(scrubGitMessage(stderr)).toBe(
      [
        'remote: Error: 403 forbidden',
        'To https://github.com/octo/app.git',
        ' ! [rejected]        session/x -> session/x (stale info)',
        "error: failed to push some refs to 'https://github.com/octo/app.git'",
      ].join('\n'),
    );
  });
});

describe('buildGitEnv', () => {
  it("sets curl's low-speed limit from the stall time, and only when there is one", () => {
    const env = buildGitEnv({ allowProtocols: ['https'], stallSeconds: 30 }, {});
    expect(env).toMatchObject({ GIT_HTTP_LOW_SPEED_LIMIT: '1', GIT_HTTP_LOW_SPEED_TIME: '30' });
    expect(buildGitEnv({ allowProtocols: ['https'] }, {})).not.toHaveProperty(
      'GIT_HTTP_LOW_SPEED_TIME',
    );
  });
});

describe('isGitAuthFailure', () => {
  it("takes git's report of a refused credential, not any 401 or 403 in the text", () => {
    for (const refused of [
      "fatal: Authentication failed for 'https://github.com/octo/app.git/'",
      "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
      "remote: Permission to octo/app.git denied to bob.\nfatal: unable to access 'https://github.com/octo/app.git/': The requested URL returned error: 403",
      "fatal: unable to access 'https://github.com/octo/app.git/': The requested URL returned error: 401",
    ])
      expect(isGitAuthFailure(refused), refused).toBe(true);
    for (const other of [
      ' ! [rejected]        session/abc -> session/abc (fetch first)\nerror: failed to push some refs; 403 objects',
      "fatal: unable to access 'https://github.com/octo/app.git/': The requested URL returned error: 500",
      'remote: Repository 4013 not found',
    ])
      expect(isGitAuthFailure(other), other).toBe(false);
  });
});
