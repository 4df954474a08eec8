import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { serve, type ServerType } from '@hono/node-server';
import { App, generateApiKey, SUPABASE_AUTH_HELPERS_SQL } from '@supabase/lite';
import { createPostgresConnection } from '@supabase/lite/postgres';
import postgres from 'postgres';

import { freePort, startPostgres, type PostgresServer } from './postgres-server';

/** The repository's `supabase/migrations`, applied in file-name order like the Supabase CLI. */
export const MIGRATIONS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../supabase/migrations',
);

/**
 * What a fresh Supabase project has before any migration: the API roles (service_role
 * bypasses RLS), the `auth` helpers RLS policies call, and usage on the schemas.
 */
const SUPABASE_ROLES_SQL = `
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN NOINHERIT; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticated') THEN CREATE ROLE authenticated NOLOGIN NOINHERIT; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'service_role') THEN CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS; END IF;
END $$;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
${SUPABASE_AUTH_HELPERS_SQL}
GRANT USAGE ON SCHEMA public, auth TO anon, authenticated, service_role;
`;

/** Applies every migration file in order; returns the file names. */
export async function applyMigrations(sql: postgres.Sql, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort();
  for (const file of files) await sql.unsafe(readFileSync(path.join(dir, file), 'utf8'));
  return files;
}

/** A fresh PostgreSQL with Supabase's roles and auth helpers, before any migration. */
export async function prepareSupabaseDatabase(pg: PostgresServer): Promise<void> {
  const sql = postgres(pg.url, { max: 1, onnotice: () => undefined });
  try {
    await sql.unsafe(SUPABASE_ROLES_SQL);
  } finally {
    await sql.end();
  }
}

export interface SupabaseStandUp {
  /** `NEXT_PUBLIC_SUPABASE_URL`. */
  url: string;
  /** `NEXT_PUBLIC_SUPABASE_ANON_KEY` (a publishable key: role anon). */
  anonKey: string;
  /** `SUPABASE_SERVICE_ROLE_KEY` (a secret key: role service_role). */
  serviceRoleKey: string;
  postgres: PostgresServer;
  /** A superuser connection for assertions (bypasses RLS). */
  sql: postgres.Sql;
  close: () => Promise<void>;
}

/**
 * Supabase on a real PostgreSQL: a throwaway cluster with Supabase's roles, the project's
 * migrations, and `@supabase/lite` (GoTrue + PostgREST reimplemented) serving `/auth/v1` and
 * `/rest/v1` over HTTP on a free port. GitHub OAuth points at `githubUrl` (the GitHub stand-in).
 */
export async function startSupabase(
  options: { githubUrl?: string; siteUrl?: string; redirectUrls?: string[] } = {},
): Promise<SupabaseStandUp> {
  process.env.DO_NOT_TRACK = '1';
  const pg = await startPostgres();
  let server: ServerType | undefined;
  const sql = postgres(pg.url, { max: 4, onnotice: () => undefined });
  try {
    await prepareSupabaseDatabase(pg);
    const anon = await generateApiKey('publishable');
    const secret = await generateApiKey('secret');
    // Auth builds its own callback URL (GitHub's redirect_uri) from api.external_url, so the
    // port has to be known before the app is made.
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const app = new App({
      api: { external_url: url, port },
      connection: createPostgresConnection({ url: pg.url }),
      auth: {
        enabled: true,
        jwt_secret: `grove-test-${Math.random().toString(36).slice(2)}-${Date.now()}-secret`,
        publishable_key: anon.key,
        secret_key: secret.key,
        site_url: options.siteUrl ?? 'http://127.0.0.1:3000',
        additional_redirect_urls: options.redirectUrls ?? ['http://127.0.0.1:*/**'],
        external: options.githubUrl
          ? {
              github: {
                enabled: true,
                client_id: 'grove-test-client',
                secret: 'grove-test-client-secret',
                url: options.githubUrl,
              },
            }
          : {},
      },
    });
    await app.ensureSystemSchema();
    await applyMigrations(sql);
    server = await new Promise<ServerType>((resolve) => {
      const started: ServerType = serve(
        {
          port,
          hostname: '127.0.0.1',
          fetch: (request: Request) => app.fetch(request, { peerAddress: null }),
        },
        () => resolve(started),
      );
    });
    const running = server;
    return {
      url,
      anonKey: anon.key,
      serviceRoleKey: secret.key,
      postgres: pg,
      sql,
      close: async () => {
        await new Promise<void>((resolve) => running.close(() => resolve()));
        await sql.end({ timeout: 1 });
        await app.connection.close();
        await pg.close();
      },
    };
  } catch (error) {
    server?.close();
    await sql.end({ timeout: 1 });
    await pg.close();
    throw error;
  }
}
