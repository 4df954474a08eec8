import 'server-only';

import { env } from '@/env';

import type { CurrentUser } from './current-user';

/**
 * The user's GitHub token for the one worker request that needs it, server-side only.
 * Local mode: GITHUB_TOKEN (the encrypted vault and Supabase mode come with the web-app issue).
 */
export function githubTokenFor(_user: CurrentUser): Promise<string | undefined> {
  return Promise.resolve(env().mode === 'local' ? env().githubToken : undefined);
}
