/**
 * `@supabase/lite` as its own process (run with Node's type stripping: `node <this file>`),
 * configured by the JSON in SUPALITE_CONFIG. Its own process because the tests stop and start
 * PostgreSQL under it, and its driver (postgres.js) can throw from a timer when a socket dies
 * mid-write: here that is logged and survived, as a long-running server would, instead of
 * landing in the test runner.
 */
import { serve } from '@hono/node-server';
import { App } from '@supabase/lite';
import { createPostgresConnection } from '@supabase/lite/postgres';

interface LiteConfig {
  pgUrl: string;
  port: number;
  anonKey: string;
  secretKey: string;
  jwtSecret: string;
  siteUrl: string;
  redirectUrls: string[];
  githubUrl?: string;
}

const config = JSON.parse(process.env.SUPALITE_CONFIG ?? '{}') as LiteConfig;
const url = `http://127.0.0.1:${config.port}`;

process.on('uncaughtException', (error) => {
  process.stderr.write(`supabase-lite: survived ${String(error)}\n`);
});

const app = new App({
  // Auth builds GitHub's redirect_uri from api.external_url.
  api: { external_url: url, port: config.port },
  connection: createPostgresConnection({ url: config.pgUrl }),
  auth: {
    enabled: true,
    jwt_secret: config.jwtSecret,
    publishable_key: config.anonKey,
    secret_key: config.secretKey,
    site_url: config.siteUrl,
    additional_redirect_urls: config.redirectUrls,
    external: config.githubUrl
      ? {
          github: {
            enabled: true,
            client_id: 'grove-test-client',
            secret: 'grove-test-client-secret',
            url: config.githubUrl,
          },
        }
      : {},
  },
});
await app.ensureSystemSchema();
serve(
  {
    port: config.port,
    hostname: '127.0.0.1',
    fetch: (request: Request) => app.fetch(request, { peerAddress: null }),
  },
  () => process.stdout.write(`supabase-lite listening on ${url}\n`),
);
process.on('SIGTERM', () => process.exit(0));
