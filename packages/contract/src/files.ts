import { z } from 'zod';

/** Largest file the browser may read or write through the files API. */
export const MAX_FILE_BYTES = 1024 * 1024;
/**
 * The largest JSON request body either app reads (a file write of MAX_FILE_BYTES, JSON-escaped,
 * fits); anything larger is a 413 before it is read whole.
 */
export const MAX_JSON_BODY_BYTES = 2 * 1024 * 1024;
/**
 * A size for people: "512 bytes", "3.4 KB", "1.9 MB" (powers of 1024), rounded up, so a size
 * just over a limit never reads as the limit itself.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'KB'] : [bytes / 1024 / 1024, 'MB'];
  return `${String(Math.ceil(value * 10) / 10)} ${unit}`;
}

/** Most entries one directory listing returns. */
export const MAX_DIR_ENTRIES = 5000;

/**
 * A path inside a session's worktree, relative to its root, `/`-separated. This only checks
 * the shape (no absolute path, no `..`, no backslash); the worker also resolves it against the
 * worktree's real path, which is what actually confines it. A `%` is an ordinary character: the
 * path is decoded exactly once, where the request is read, and nothing decodes it again, so a
 * file named `pct%2e.txt` is that file and `%2e%2e` is a folder of that name.
 */
/** The longest name a file system takes for one file or folder (Linux: 255 bytes). */
export const MAX_NAME_BYTES = 255;
const utf8 = new TextEncoder();

export const worktreePathSchema = z
  .string()
  .max(4096)
  .refine((value) => !/[\0\r\n\\]/.test(value), 'path contains forbidden characters')
  .refine(
    (value) => value.split('/').every((name) => utf8.encode(name).length <= MAX_NAME_BYTES),
    `path has a name longer than ${MAX_NAME_BYTES} bytes (the most a file system takes)`,
  )
  .refine((value) => !value.startsWith('/'), 'path must be relative to the worktree')
  .refine(
    (value) => !value.split('/').some((segment) => segment === '..'),
    'path must not contain ..',
  );

export const listFilesQuerySchema = z.object({ path: worktreePathSchema.default('') });
/** A file, not a folder: no trailing `/` (the file system would drop it and write `a` for `a/`). */
const filePathSchema = worktreePathSchema
  .min(1, 'path is required')
  .refine((value) => !value.endsWith('/'), 'path must name a file (no trailing /)');

export const readFileQuerySchema = z.object({ path: filePathSchema });

export const fileEntrySchema = z.object({
  name: z.string(),
  path: z.string(),
  type: z.enum(['file', 'dir']),
  size: z.number().int().nonnegative(),
  /**
   * Only on a symbolic link the worker does not follow: one that leads out of the worktree,
   * nowhere, or in a loop. Listed as a `file` of size 0 so it can be renamed or deleted (that
   * acts on the link itself); reading or writing through it is refused (403).
   */
  link: z.literal('outside').optional(),
});
export type FileEntry = z.infer<typeof fileEntrySchema>;

/**
 * A folder's entries: folders first, then files, each by name, at most MAX_DIR_ENTRIES of them.
 * A folder holding more answers its first MAX_DIR_ENTRIES in that order, with `truncated` set;
 * `total` is how many entries it holds (that a listing would show).
 */
export const listFilesResponseSchema = z.object({
  entries: z.array(fileEntrySchema),
  truncated: z.boolean(),
  total: z.number().int().nonnegative(),
});
export type ListFilesResponse = z.infer<typeof listFilesResponseSchema>;
/** A file's version: the SHA-256 of its bytes, hex. */
export const fileVersionSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest');

export const readFileResponseSchema = z.object({
  path: z.string(),
  content: z.string(),
  size: z.number().int().nonnegative(),
  version: fileVersionSchema,
});

export const writeFileBodySchema = z
  .object({
    path: filePathSchema,
    // No length here: the worker checks the UTF-8 size against MAX_FILE_BYTES (413 file_too_large),
    // and the request body's own limit bounds what is read.
    content: z.string(),
    /**
     * The version the edit started from (as read). Given, the write happens only if the file on
     * disk is still that version, else 409 `conflict`: the terminal or the agent changed it
     * meanwhile, and a blind write would lose their change.
     */
    baseVersion: fileVersionSchema.optional(),
    /**
     * Create a new file only: if anything is at `path` already, nothing is written and the answer
     * is 409 `conflict` (the IDE's "New file" must not empty an existing one).
     */
    createOnly: z.boolean().optional(),
  })
  .refine((body) => !(body.createOnly && body.baseVersion !== undefined), {
    message: 'createOnly and baseVersion exclude each other (a new file has no version yet)',
    path: ['createOnly'],
  });
export type WriteFileBody = z.infer<typeof writeFileBodySchema>;

export const writeFileResponseSchema = z.object({
  path: z.string(),
  size: z.number().int().nonnegative(),
  version: fileVersionSchema,
});

/**
 * A file or folder to create, move or delete: not the worktree itself (the worker refuses a path
 * that resolves to it, such as `.`), and no trailing `/`.
 */
const entryPathSchema = worktreePathSchema
  .min(1)
  .refine((value) => !value.endsWith('/'), 'path must not end with /');

/** `DELETE …/file?path=`: a file, or a folder with everything in it. */
export const deleteEntryQuerySchema = z.object({ path: entryPathSchema });
export const deleteEntryResponseSchema = z.object({
  path: z.string(),
  type: z.enum(['file', 'dir']),
});

/** `POST …/folder`: makes the folder and any missing parents (`mkdir -p`). */
export const createFolderBodySchema = z.object({ path: entryPathSchema });
export type CreateFolderBody = z.infer<typeof createFolderBodySchema>;
/** `created: false`: the folder was there already. */
export const createFolderResponseSchema = z.object({ path: z.string(), created: z.boolean() });

/** `POST …/file/move`: rename or move a file or folder inside the worktree. */
export const moveEntryBodySchema = z.object({
  from: entryPathSchema,
  to: entryPathSchema,
  /** Replace a file already at `to` (never a folder). Without it, anything at `to` is a 409. */
  overwrite: z.boolean().optional(),
});
export type MoveEntryBody = z.infer<typeof moveEntryBodySchema>;
export const moveEntryResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  type: z.enum(['file', 'dir']),
});
