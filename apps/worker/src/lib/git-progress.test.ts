import { describe, expect, it } from 'vitest';

import { buildGitEnv, progressStage, scrubGitMessage } from './git';

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
