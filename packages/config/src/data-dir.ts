import { existsSync } from 'node:fs';
import path from 'node:path';

/** The monorepo root: the nearest folder above `from` holding pnpm-workspace.yaml. */
export function findRepoRoot(from: string = process.cwd()): string | undefined {
  let dir = path.resolve(/* turbopackIgnore: true */ from);
  for (;;) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * GROVE_DATA_DIR, absolute. Default `.grove/` at the repo root, so the web and the worker
 * agree whatever folder each was started from.
 */
export function resolveDataDir(
  configured: string | undefined,
  from: string = process.cwd(),
): string {
  if (configured && configured.trim() !== '')
    return path.resolve(/* turbopackIgnore: true */ from, configured);
  return path.join(
    /* turbopackIgnore: true */ findRepoRoot(from) ??
      path.resolve(/* turbopackIgnore: true */ from),
    '.grove',
  );
}
