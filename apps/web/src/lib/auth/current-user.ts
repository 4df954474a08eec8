import 'server-only';

import { AppError } from '@grove/contract';
import { cookies } from 'next/headers';

import { env } from '@/env';

import { LOCAL_OWNER_ID, SESSION_COOKIE, verifySessionCookie } from './local-session';

export interface CurrentUser {
  id: string;
  login?: string | undefined;
  name?: string | undefined;
  email?: string | undefined;
}

/** The signed-in user, or undefined. Server-side only; trusts nothing the browser says. */
export async function getCurrentUser(): Promise<CurrentUser | undefined> {
  const config = env();
  if (config.mode !== 'local') {
    // Supabase sign-in arrives with the web-app issue; until then nobody is signed in there.
    return undefined;
  }
  const jar = await cookies();
  const userId = await verifySessionCookie(config.sessionSecret, jar.get(SESSION_COOKIE)?.value);
  if (userId !== LOCAL_OWNER_ID) return undefined;
  return { id: LOCAL_OWNER_ID, login: 'owner', name: 'Local owner' };
}

export async function requireUser(): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) throw new AppError('unauthorized', 'Sign in first');
  return user;
}
