import { parseOrThrow, userPreferencesPatchSchema } from '@grove/contract';

import { otherMethods } from '@/lib/api/other-methods';
import { readJson, withUser } from '@/lib/api/with-user';
import { getPreferences, updatePreferences } from '@/lib/preferences/preferences';

export const dynamic = 'force-dynamic';

const NO_STORE = { 'cache-control': 'no-store' };

export const GET = withUser(async ({ user }) =>
  Response.json({ preferences: await getPreferences(user) }, { headers: NO_STORE }),
);

/** A partial update: only the fields sent change. */
export const PUT = withUser(async ({ req, user }) => {
  const patch = parseOrThrow(userPreferencesPatchSchema, await readJson(req), 'preferences');
  return Response.json(
    { preferences: await updatePreferences(user, patch) },
    { headers: NO_STORE },
  );
});

export const { POST, PATCH, DELETE, OPTIONS } = otherMethods(['GET', 'PUT']);
