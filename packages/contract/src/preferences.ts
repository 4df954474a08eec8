import { z } from 'zod';

import { branchNameSchema } from './sessions';

/**
 * A user's preferences (`GET`/`PUT /api/user/preferences`). Small on purpose: each field has a
 * default, so an empty or partial stored object always reads as a whole one.
 */
export const userPreferencesSchema = z.object({
  theme: z.enum(['system', 'light', 'dark']).default('system'),
  /**
   * The base branch new sessions start from (instead of the repository's default branch): a
   * name session create accepts. One stored before that rule reads as none.
   */
  defaultBaseBranch: branchNameSchema.nullable().default(null).catch(null),
  terminalFontSize: z.number().int().min(8).max(32).default(13),
});
export type UserPreferences = z.infer<typeof userPreferencesSchema>;

/** `PUT /api/user/preferences`: any subset; the rest keeps its stored value. */
export const userPreferencesPatchSchema = z
  .object({
    theme: z.enum(['system', 'light', 'dark']),
    defaultBaseBranch: branchNameSchema.nullable(),
    terminalFontSize: z.number().int().min(8).max(32),
  })
  .partial()
  .strict();
export type UserPreferencesPatch = z.infer<typeof userPreferencesPatchSchema>;

export const userPreferencesResponseSchema = z.object({ preferences: userPreferencesSchema });
