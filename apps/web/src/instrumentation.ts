/** Runs once when the server starts: in local mode, print where to sign in. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { env } = await import('./env');
  const config = env();
  if (config.mode !== 'local') return;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${host}:${config.port}/auth/local?token=${encodeURIComponent(config.accessToken)}`;
  const source = process.env.GROVE_ACCESS_TOKEN
    ? 'GROVE_ACCESS_TOKEN'
    : `${config.dataDir}/secrets.json`;
  // eslint-disable-next-line no-console -- the owner needs this line to sign in
  console.log(
    `\n  Grove is running in local mode. Sign in at:\n  ${url}\n  (token from ${source})\n`,
  );
}
