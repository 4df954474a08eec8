import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { ENGINE_REFUSED_MESSAGE, PERMISSION_STOPPED_MESSAGE } from './chat';
import { permissionAnswer } from './chat-history';
import { AppError, appErrorFromBody, errorBodySchema, parseOrThrow } from './errors';
import {
  createFolderBodySchema,
  deleteEntryQuerySchema,
  formatBytes,
  moveEntryBodySchema,
  worktreePathSchema,
  writeFileBodySchema,
} from './files';
import { diffSectionPath, pathOnFileLine, unquoteGitPath } from './git-diff-paths';
import { userPreferencesPatchSchema, userPreferencesSchema } from './preferences';
import {
  branchNameSchema,
  canTransition,
  createSessionBodySchema,
  repoRefSchema,
  SESSION_STATUSES,
} from './sessions';

describe('repoRefSchema', () => {
  it.each([
    'octo/hello-world',
    'https://github.com/octo/hello.git',
    '/srv/repos/app',
    'file:///srv/repos/app',
  ])('accepts %s', (value) => expect(repoRefSchema.safeParse(value).success).toBe(true));
  it.each([
    '',
    'octo',
    'octo/../..',
    'http://example.com/x.git',
    'https://user:secret@github.com/o/r.git',
    'ext::sh -c id',
    'ssh://git@github.com/o/r.git',
    'relative/path/deeper',
    'file:///',
    'octo/repo\nmore',
  ])('refuses %j', (value) => expect(repoRefSchema.safeParse(value).success).toBe(false));
});

describe('branchNameSchema', () => {
  it('accepts ordinary names and refuses what git refuses', () => {
    for (const ok of ['main', 'release/1.2', 'feature_x-y'])
      expect(branchNameSchema.safeParse(ok).success).toBe(true);
    for (const bad of [
      '-x',
      'a..b',
      'a//b',
      '/a',
      'a/',
      'x.lock',
      'a@{b',
      'a b',
      'a~1',
      'a:b',
      'end.',
    ]) {
      expect(branchNameSchema.safeParse(bad).success, bad).toBe(false);
    }
  });
});

describe('session status machine', () => {
  it('allows only the documented moves', () => {
    expect(canTransition('creating', 'active')).toBe(true);
    expect(canTransition('creating', 'failed')).toBe(true);
    expect(canTransition('active', 'deleting')).toBe(true);
    expect(canTransition('failed', 'deleting')).toBe(true);
    expect(canTransition('deleting', 'active')).toBe(false);
    expect(canTransition('failed', 'active')).toBe(false);
    expect(canTransition('creating', 'connected')).toBe(false);
    for (const status of SESSION_STATUSES) expect(canTransition(status, 'creating')).toBe(false);
  });
});

describe('errors', () => {
  it('renders the contract body with details and rate-limit fields', () => {
    const error = new AppError('session_limit', 'Too many', {
      rateLimit: { retryAfter: 30, limit: 10, remaining: 0, reset: 1 },
    });
    expect(error.status).toBe(429);
    const body = error.toBody();
    expect(errorBodySchema.parse(body)).toEqual(body);
    expect(body).toEqual({
      error: {
        code: 'session_limit',
        message: 'Too many',
        retryAfter: 30,
        limit: 10,
        remaining: 0,
        reset: 1,
      },
    });
  });

  it('turns zod failures into 422 with a path per field', () => {
    try {
      parseOrThrow(createSessionBodySchema, { repo: 42, baseBranch: '..' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      const body = (error as AppError).toBody();
      expect((error as AppError).status).toBe(422);
      expect(body.error.details?.map((d) => d.path).sort()).toEqual(['baseBranch', 'repo']);
    }
    expect(() => parseOrThrow(z.object({}).strict(), { extra: 1 })).toThrow(AppError);
  });

  it('rebuilds an upstream error, and hides a malformed one behind a generic code', () => {
    const rebuilt = appErrorFromBody(404, {
      error: { code: 'not_found', message: 'Session not found' },
    });
    expect(rebuilt.status).toBe(404);
    expect(rebuilt.message).toBe('Session not found');
    expect(appErrorFromBody(502, '<html>').code).toBe('worker_unavailable');
  });
});

describe('readable validation details', () => {
  const schema = z
    .object({
      message: z.string().trim().min(1, 'message is required').max(10),
      count: z.number().int().min(1).max(5),
      tags: z.array(z.string()).max(1),
      kind: z.enum(['a', 'b']),
      name: z.string(),
    })
    .strict();
  const detailsOf = (value: unknown) => {
    try {
      parseOrThrow(schema, value, 'thing');
    } catch (error) {
      expect((error as AppError).message).toBe('Invalid thing');
      return Object.fromEntries((error as AppError).details!.map((d) => [d.path, d.message]));
    }
    throw new Error('expected a validation error');
  };

  it("words zod's issues as predicates of the field, and keeps a schema's own message", () => {
    expect(
      detailsOf({ message: '   ', count: 9, tags: ['x', 'y'], kind: 'c', name: 3, extra: 1 }),
    ).toEqual({
      message: 'message is required',
      count: 'must be at most 5',
      tags: 'has too many items (at most 1)',
      kind: 'must be one of "a", "b"',
      name: 'must be a string',
      '(root)': 'has unknown field extra',
    });
    expect(detailsOf({ message: 'x'.repeat(11), count: 0, tags: [], kind: 'a' })).toEqual({
      message: 'is too long (at most 10 characters)',
      count: 'must be at least 1',
      name: 'is required',
    });
    // "an" before a vowel: the body itself is not an object.
    expect(detailsOf(42)).toEqual({ '(root)': 'must be an object' });
    // Two checks saying the same of one field are said once.
    const token = z.object({ t: z.string().min(5, 'not a token').regex(/^a+$/, 'not a token') });
    const refused = (() => {
      try {
        parseOrThrow(token, { t: 'b' });
      } catch (error) {
        return error as AppError;
      }
    })();
    expect(refused?.details).toEqual([{ path: 't', message: 'not a token' }]);
  });
});

describe('formatBytes', () => {
  it('words a size in bytes, KB or MB, rounded up so just over a limit is not the limit', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(1024)).toBe('1 KB');
    expect(formatBytes(3482)).toBe('3.5 KB');
    expect(formatBytes(1024 * 1024)).toBe('1 MB');
    expect(formatBytes(1024 * 1024 + 1)).toBe('1.1 MB');
    expect(formatBytes(1988895)).toBe('1.9 MB');
  });
});

describe('worktreePathSchema', () => {
  it('refuses a name longer than a file system takes (255 bytes), counted in UTF-8', () => {
    expect(worktreePathSchema.safeParse(`a/${'n'.repeat(255)}`).success).toBe(true);
    expect(worktreePathSchema.safeParse(`a/${'n'.repeat(256)}`).success).toBe(false);
    expect(worktreePathSchema.safeParse('é'.repeat(128)).success).toBe(false);
  });
});

describe('file operations', () => {
  it('take a file or folder path, never an empty one or one ending in /', () => {
    expect(deleteEntryQuerySchema.safeParse({ path: 'src/a.ts' }).success).toBe(true);
    expect(createFolderBodySchema.safeParse({ path: 'src/new' }).success).toBe(true);
    for (const path of ['', 'src/', '../x', '/etc', 'a\\b'])
      expect(deleteEntryQuerySchema.safeParse({ path }).success, path).toBe(false);
  });

  it('words a missing move field as the field, and keeps overwrite optional', () => {
    expect(moveEntryBodySchema.parse({ from: 'a', to: 'b' })).toEqual({ from: 'a', to: 'b' });
    expect(() => parseOrThrow(moveEntryBodySchema, { from: 'a', to: '' }, 'move')).toThrow(
      expect.objectContaining({ details: [{ path: 'to', message: 'is required' }] }),
    );
  });

  it('refuses create-only together with a base version', () => {
    const body = { path: 'a.txt', content: '', createOnly: true };
    expect(writeFileBodySchema.safeParse(body).success).toBe(true);
    expect(writeFileBodySchema.safeParse({ ...body, baseVersion: 'a'.repeat(64) }).success).toBe(
      false,
    );
  });
});

describe('paths in git diff output', () => {
  it('undoes C-quoting: escapes, octal bytes (UTF-8), and leaves unquoted text alone', () => {
    expect(unquoteGitPath('"b/back\\\\slash \\"q\\".txt"')).toBe('b/back\\slash "q".txt');
    expect(unquoteGitPath('"b/tab\\there\\nnl"')).toBe('b/tab\there\nnl');
    expect(unquoteGitPath('"b/\\360\\237\\230\\200 smile.md"')).toBe('b/😀 smile.md');
    expect(unquoteGitPath('b/plain name')).toBe('b/plain name');
  });

  it('reads ---/+++ lines: the TAB after a name with a space, quoted names, /dev/null', () => {
    expect(pathOnFileLine('+++ b/big diff file.txt\t')).toBe('big diff file.txt');
    expect(pathOnFileLine('--- a/new dir/sub/f.md\t')).toBe('new dir/sub/f.md');
    expect(pathOnFileLine('+++ "b/back\\\\slash.txt"')).toBe('back\\slash.txt');
    expect(pathOnFileLine('+++ /dev/null')).toBeUndefined();
  });

  it('reads a section: new path, old path for a deletion, rename target, header alone', () => {
    expect(diffSectionPath(['diff --git a/x y b/x y', '--- /dev/null', '+++ b/x y\t'])).toBe('x y');
    expect(diffSectionPath(['diff --git a/gone b/gone', '--- a/gone', '+++ /dev/null'])).toBe(
      'gone',
    );
    expect(
      diffSectionPath([
        'diff --git a/old name b/new name',
        'similarity index 100%',
        'rename from old name',
        'rename to new name',
      ]),
    ).toBe('new name');
    // Binary or mode-only sections have no ---/+++ lines: the header, split in the middle.
    expect(diffSectionPath(['diff --git a/a b/c b/a b/c', 'Binary files differ'])).toBe('a b/c');
    expect(diffSectionPath(['diff --git "a/q\\"x" "b/q\\"x"', 'old mode 100644'])).toBe('q"x');
  });
});

describe('preferences', () => {
  it('takes as default base branch only a name session create accepts', () => {
    for (const bad of ['../x', '-x', 'a..b', 'x.lock', 'end/'])
      expect(userPreferencesPatchSchema.safeParse({ defaultBaseBranch: bad }).success, bad).toBe(
        false,
      );
    expect(userPreferencesPatchSchema.parse({ defaultBaseBranch: 'release/1.2' })).toEqual({
      defaultBaseBranch: 'release/1.2',
    });
    // One stored before the rule reads as none rather than breaking every read.
    expect(userPreferencesSchema.parse({ defaultBaseBranch: '../x' }).defaultBaseBranch).toBe(null);
  });
});

describe('permissionAnswer', () => {
  const text = (t: string) => [{ type: 'text', text: t }];
  it('reads a refusal from any refuser as denied, and a call that ran and failed as allowed', () => {
    expect(permissionAnswer({ content: 'done', isError: false })).toBe('allowed');
    expect(permissionAnswer({ content: text('Exit code 1\nnot found'), isError: true })).toBe(
      'allowed',
    );
    expect(permissionAnswer({ content: PERMISSION_STOPPED_MESSAGE, isError: true })).toBe('denied');
    expect(
      permissionAnswer({
        content: text(`${ENGINE_REFUSED_MESSAGE}. The tool use was rejected.`),
        isError: true,
      }),
    ).toBe('denied');
  });
});
