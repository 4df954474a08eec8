import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** Tools that only change files; inside the worktree they run without asking. */
const EDIT_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);
/** Tools that only read files; inside the worktree they run without asking. */
const READ_TOOLS = new Set(['Read', 'Glob', 'Grep', 'LS', 'NotebookRead']);
/** Tools with no effect outside the conversation itself. */
const HARMLESS_TOOLS = new Set(['TodoWrite']);

/** The real path of `target`, resolving symlinks of the part that exists (new files do not). */
function realPathOf(target: string): string {
  let existing = target;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    rest.unshift(path.basename(existing));
    existing = parent;
  }
  return path.join(realpathSync(existing), ...rest);
}

export function isInside(root: string, target: string): boolean {
  const relative = path.relative(realPathOf(root), realPathOf(path.resolve(root, target)));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function pathOf(input: Record<string, unknown>): string | undefined {
  for (const key of ['file_path', 'notebook_path', 'path']) {
    const value = input[key];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}

/**
 * Whether a tool call may run without asking the user: file edits and reads inside the
 * worktree (symlinks resolved, so a link out of it does not count), and harmless tools.
 * Everything else — Bash, WebFetch, edits elsewhere — needs an explicit yes.
 */
export function isAutoAllowed(
  worktree: string,
  tool: string,
  input: Record<string, unknown>,
): boolean {
  if (HARMLESS_TOOLS.has(tool)) return true;
  if (!EDIT_TOOLS.has(tool) && !READ_TOOLS.has(tool)) return false;
  const target = pathOf(input);
  if (target === undefined) return READ_TOOLS.has(tool); // reads default to the cwd
  return isInside(worktree, target);
}
