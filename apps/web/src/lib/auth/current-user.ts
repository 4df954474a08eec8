import 'server-only';

import { AppError } from '@grove/contract';
import { cookies } from 'next/headers';
import { cache } from 'react';
import type { NextRequest } from 'next/server';

import { env } from '@/env';
import { createClient } from '@/lib/supabase/server';

import { recordedGitHubLogin } from './github-token';
import { LOCAL_OWNER_ID, SESSION_COOKIE, verifySessionCookie } from './local-session';
import { revokedSessions } from './revoked-sessions';

export interface CurrentUser {
  id: string;
  login?: string | undefined;
  name?: string | undefined;
  email?: string | undefined;
}

interface SupabaseClaims {
  sub?: string;
  email?: string;
  user_metadata?: {
    full_name?: string;
    name?: string;
  };
}

/**
 * The signed-in user, or undefined. Server-side only; trusts nothing the browser says. In
 * Supabase mode the session JWT is verified by `getClaims()` (signature checked against the
 * project's keys, or by the Auth server) — never `getSession()`, which only reads the cookie.
 *
 * Memoized per server render (React's `cache`): the root layout (theme) and the page share one
 * check. Route handlers pass their request: local mode then reads the cookie straight off it rather
 * than through `cookies()`'s request-store lookup (the chat's first-event path counts it).
 */
export const getCurrentUser = cache(readCurrentUser);

async function readCurrentUser(request?: NextRequest): Promise<CurrentUser | undefined> {
  const config = env();
  if (config.mode === 'supabase') {
    const supabase = await createClient();
    const { data, error } = await supabase.auth.getClaims();
    const claims = data?.claims as SupabaseClaims | undefined;
    if (error || !claims?.sub) return undefined;
    const meta = claims.user_metadata ?? {};
    // Who the user is on GitHub, as Grove recorded it at sign-in (/auth/callback asked GitHub),
    // never user_metadata's user_name, which the user may rewrite through Supabase Auth. An
    // account that never signed in through Grove's GitHub callback (an email sign-up) has no
    // record and no GitHub token: not signed in here. A login taken off the list later is
    // signed out within a minute.
    const login = await recordedGitHubLogin(claims.sub);
    if (login === undefined || !isAllowedLogin(login)) return undefined;
    return {
      id: claims.sub,
      login,
      name: meta.full_name ?? meta.name,
      email: claims.email,
    };
  }
  const jar = request?.cookies ?? (await cookies());
  const userId = await verifySessionCookie(
    config.sessionSecret,
    jar.get(SESSION_COOKIE)?.value,
    revokedSessions(config.dataDir),
  );
  if (userId !== LOCAL_OWNER_ID) return undefined;
  return { id: LOCAL_OWNER_ID, login: 'owner', name: 'Local owner' };
}

/** Whether a GitHub login may use this Grove (GROVE_ALLOWED_USERS; everyone when unset). */
export function isAllowedLogin(login: string | undefined): boolean {
  const allowed = env().allowedUsers;
  return !allowed || (login !== undefined && allowed.has(login.toLowerCase()));
}

export async function requireUser(request?: NextRequest): Promise<CurrentUser> {
  const user = await getCurrentUser(request);
  if (!user) throw new AppError('unauthorized', 'Sign in first');
  return user;
}
