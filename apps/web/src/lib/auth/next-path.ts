import { z } from 'zod';

/** Longer than any page path Grove has; a bound keeps the URL and the Location header small. */
export const MAX_NEXT_PATH_LENGTH = 1024;

/** Supabase mode: holds `next` across the GitHub round trip (/auth/github → /auth/callback). */
export const NEXT_PATH_COOKIE = 'grove_next';

/** Any base works: a path that stays on it stays on whatever site the browser is on. */
const PROBE_ORIGIN = 'http://grove.invalid';

/**
 * Where sign-in may send the browser afterwards: a path on this site, nothing else (no open
 * redirect). `//host` and `/\host` are other sites to a browser, and browsers drop tabs and
 * newlines from URLs (`/\t/host` becomes `//host`), so only printable ASCII without `\` passes —
 * which also keeps the value a valid header. The URL parser has the last word.
 */
export const nextPathSchema = z
  .string()
  .max(MAX_NEXT_PATH_LENGTH)
  .regex(/^\/(?![/\\])[\x21-\x7e]*$/, 'A path on this site')
  .refine((path) => !path.includes('\\'), 'A path on this site')
  .refine(
    (path) =>
      URL.canParse(path, PROBE_ORIGIN) && new URL(path, PROBE_ORIGIN).origin === PROBE_ORIGIN,
    'A path on this site',
  );

/** The path to return to after sign-in: `value` when it is a same-site path, `/` otherwise. */
export function safeNextPath(value: unknown): string {
  const parsed = nextPathSchema.safeParse(value);
  return parsed.success ? parsed.data : '/';
}

/** `page` asked to come back to `next` afterwards (the bare page when that is `/`). */
export function withNextPath(page: string, next: string): string {
  const path = safeNextPath(next);
  return path === '/' ? page : `${page}?next=${encodeURIComponent(path)}`;
}

/** The sign-in page, asked to come back to `next`. */
export function signInPath(next: string): string {
  return withNextPath('/sign-in', next);
}
