/** Runs once when the server starts: in local mode, print where to sign in. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { env } = await import('./env');
  const { httpOrigin } = await import('@grove/config');
  let config: ReturnType<typeof env>;
  try {
    config = env();
  } catch (error) {
    // Next would log this and go on answering every request with a bare 500. Stop instead:
    // `pnpm start` shows the error, and gives up if it happens again and again.
    // eslint-disable-next-line no-console -- the operator needs to see why it stopped
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  if (config.mode !== 'local') return;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const base = httpOrigin(host, config.port);
  // A token the owner chose is theirs to keep: it is not written to the log. The generated one
  // is printed, once per start, as the only way to learn it besides the secrets file.
  const line = process.env.GROVE_ACCESS_TOKEN
    ? `${base}/sign-in with the token in GROVE_ACCESS_TOKEN`
    : `${base}/auth/local?token=${encodeURIComponent(config.accessToken)}\n  (token from ${config.dataDir}/secrets.json)`;
  // eslint-disable-next-line no-console -- the owner needs this line to sign in
  console.log(`\n  Grove is running in local mode. Sign in at:\n  ${line}\n`);
}
