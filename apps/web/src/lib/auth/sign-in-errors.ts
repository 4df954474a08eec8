/** Why local sign-in refused, as the sign-in page is told (`/sign-in?error=`) and says it. */
export const SIGN_IN_ERRORS = {
  wrong_token: {
    title: 'Wrong access token',
    text: 'That token does not sign in to this Grove.',
  },
  rate_limited: {
    title: 'Too many wrong access tokens',
    text: 'Sign-in is paused for 15 minutes after too many wrong tokens (restarting Grove ends the pause).',
  },
} as const;
export type SignInErrorCode = keyof typeof SIGN_IN_ERRORS;

export function isSignInErrorCode(value: unknown): value is SignInErrorCode {
  return typeof value === 'string' && Object.hasOwn(SIGN_IN_ERRORS, value);
}
