import { z } from 'zod';

/**
 * A user's preferences (`GET`/`PUT /api/user/preferences`). Small on purpose: each field has a
 * default, so an empty or partial stored object always reads as a whole one.
 */
export const userPreferencesSchema = z.object({
  theme: z.enum(['system', 'light', 'dark']).default('system'),
  /** The base branch new sessions start from (instead of the repository's default branch). */
  defaultBaseBranch: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[\w./-]+$/, 'is not a branch name')
    .nullable()
    .default(null),
  terminalFontSize: z.number().int().min(8).max(32).default(13),
});
export type UserPreferences = z.infer<typeof userPreferencesSchema>;

/** `PUT /api/user/preferences`: any subset; the rest keeps its stored value. */
export const userPreferencesPatchSchema = z
  .object({
    theme: z.enum(['system', 'light', 'dark']),
    defaultBaseBranch: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[\w./-]+$/, 'is not a branch name')
      .nullable(),
    terminalFontSize: z.number().int().min(8).max(32),
  })
  .partial()
  .strict();
export type UserPreferencesPatch = z.infer<typeof userPreferencesPatchSchema>;

export const userPreferencesResponseSchema = z.object({ preferences: userPreferencesSchema });
