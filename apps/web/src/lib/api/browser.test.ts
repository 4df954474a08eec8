import { describe, expect, it } from 'vitest';

import { apiErrorFrom } from './browser';

describe('apiErrorFrom', () => {
  it('says when to retry a 429', () => {
    const error = apiErrorFrom(429, {
      error: { code: 'rate_limited', message: 'Too many messages', retryAfter: 125 },
    });
    expect(error.code).toBe('rate_limited');
    expect(error.retryAfter).toBe(125);
    expect(error.message).toBe('Too many messages — try again in 3 min');
  });

  it('does not tell to wait where waiting frees nothing (a count limit)', () => {
    const error = apiErrorFrom(429, {
      error: {
        code: 'session_limit',
        message: 'At most 10 active sessions per repository: delete one to start another',
        retryAfter: 30,
      },
    });
    expect(error.message).toBe(
      'At most 10 active sessions per repository: delete one to start another',
    );
    expect(error.retryAfter).toBe(30);
  });

  it('falls back to Retry-After, lists validation details, and points at workers on 502/503', () => {
    expect(apiErrorFrom(429, {}, '7').message).toBe('Request failed (429) — try again in 7s');
    expect(
      apiErrorFrom(422, {
        error: { message: 'Invalid', details: [{ path: 'repo', message: 'required' }] },
      }).message,
    ).toBe('Invalid: repo required');
    expect(
      apiErrorFrom(503, {
        error: { code: 'worker_unavailable', message: 'The worker is not reachable' },
      }).message,
    ).toMatch(/worker may be down/);
    // A proxy's own 502 page: no contract body, so the worker is the likely cause too.
    expect(apiErrorFrom(502, 'Bad Gateway').message).toMatch(/worker may be down/);
  });

  it('names each bad field once, and adds nothing to errors that are not about fields', () => {
    const invalid = (details: { path: string; message: string }[]) =>
      apiErrorFrom(422, {
        error: { code: 'validation_failed', message: 'Invalid commit', details },
      }).message;
    expect(invalid([{ path: 'message', message: 'message is required' }])).toBe(
      'Invalid commit: message is required',
    );
    expect(
      invalid([
        { path: 'message', message: 'is too long (at most 10000 characters)' },
        { path: 'options.amend', message: 'must be a boolean' },
      ]),
    ).toBe(
      'Invalid commit: message is too long (at most 10000 characters); amend must be a boolean',
    );
    // Field names read as words; a field's second problem is left out.
    expect(
      invalid([
        { path: 'baseBranch', message: 'is not a valid branch name' },
        { path: 'repo', message: 'repo is required' },
        { path: 'repo', message: 'repo must be owner/name, …' },
      ]),
    ).toBe('Invalid commit: base branch is not a valid branch name; repo is required');
    // A problem of the whole value adds nothing to "Invalid session id".
    expect(
      apiErrorFrom(422, {
        error: {
          message: 'Invalid session id',
          details: [{ path: '(root)', message: 'is not a session id' }],
        },
      }).message,
    ).toBe('Invalid session id');
    expect(
      apiErrorFrom(422, {
        error: {
          code: 'validation_failed',
          message: 'Base branch "nope" does not exist',
          details: [{ path: 'baseBranch', message: 'no branch named nope' }],
        },
      }).message,
    ).toBe('Base branch "nope" does not exist');
    // The engine not being set up is not the worker being down.
    expect(
      apiErrorFrom(503, {
        error: { code: 'engine_unavailable', message: 'The agent is not set up' },
      }).message,
    ).toBe('The agent is not set up');
  });
});
