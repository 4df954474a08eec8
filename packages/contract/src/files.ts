import { z } from 'zod';

/** Largest file the browser may read or write through the files API. */
export const MAX_FILE_BYTES = 1024 * 1024;
/**
 * The largest JSON request body either app reads (a file write of MAX_FILE_BYTES, JSON-escaped,
 * fits); anything larger is a 413 before it is read whole.
 */
export const MAX_JSON_BODY_BYTES = 2 * 1024 * 1024;
/** Most entries one directory listing returns. */
export const MAX_DIR_ENTRIES = 5000;

/**
 * A path inside a session's worktree, relative to its root, `/`-separated. This only checks
 * the shape (no absolute path, no `..`, no backslash); the worker also resolves it against the
 * worktree's real path, which is what actually confines it. A `%` is an ordinary character: the
 * path is decoded exactly once, where the request is read, and nothing decodes it again, so a
 * file named `pct%2e.txt` is that file and `%2e%2e` is a folder of that name.
 */
export const worktreePathSchema = z
  .string()
  .max(4096)
  .refine((value) => !/[\0\r\n\\]/.test(value), 'path contains forbidden characters')
  .refine((value) => !value.startsWith('/'), 'path must be relative to the worktree')
  .refine(
    (value) => !value.split('/').some((segment) => segment === '..'),
    'path must not contain ..',
  );

export const listFilesQuerySchema = z.object({ path: worktreePathSchema.default('') });
export const readFileQuerySchema = z.object({
  path: worktreePathSchema.min(1, 'path is required'),
});

export const fileEntrySchema = z.object({
  name: z.string(),
  path: z.string(),
  type: z.enum(['file', 'dir']),
  size: z.number().int().nonnegative(),
});
export type FileEntry = z.infer<typeof fileEntrySchema>;

export const listFilesResponseSchema = z.object({ entries: z.array(fileEntrySchema) });
/** A file's version: the SHA-256 of its bytes, hex. */
export const fileVersionSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest');

export const readFileResponseSchema = z.object({
  path: z.string(),
  content: z.string(),
  size: z.number().int().nonnegative(),
  version: fileVersionSchema,
});

export const writeFileBodySchema = z.object({
  path: worktreePathSchema.min(1, 'path is required'),
  // Characters, not bytes: the worker checks the UTF-8 size against MAX_FILE_BYTES.
  content: z.string().max(MAX_FILE_BYTES, 'content is too large'),
  /**
   * The version the edit started from (as read). Given, the write happens only if the file on
   * disk is still that version, else 409 `conflict`: the terminal or the agent changed it
   * meanwhile, and a blind write would lose their change.
   */
  baseVersion: fileVersionSchema.optional(),
});
export type WriteFileBody = z.infer<typeof writeFileBodySchema>;

export const writeFileResponseSchema = z.object({
  path: z.string(),
  size: z.number().int().nonnegative(),
  version: fileVersionSchema,
});
