import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { generateApiKey, SUPABASE_AUTH_HELPERS_SQL } from '@supabase/lite';
import postgres from 'postgres';

import { freePort, startPostgres, type PostgresServer } from './postgres-server';
import { startProcess, type StartedProcess } from './processes';

/** Runs `@supabase/lite` in a process of its own (see that file). */
const LITE_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'supabase-lite-main.ts');

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
/** The migration that sets each role's table privileges (idempotent). */
const PRIVILEGES_MIGRATION = '20261121000000_table_privileges.sql';

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
  /** A superuser connection for assertions (bypasses RLS); a new one after a restart. */
  readonly sql: postgres.Sql;
  /** Stops PostgreSQL (an outage): Supabase answers errors until `startDatabase`. */
  stopDatabase: () => Promise<void>;
  startDatabase: () => Promise<void>;
  close: () => Promise<void>;
}

/**
 * Supabase on a real PostgreSQL: a throwaway cluster with Supabase's roles, the project's
 * migrations, and `@supabase/lite` (GoTrue + PostgREST reimplemented) serving `/auth/v1` and
 * `/rest/v1` over HTTP on a free port, in a child process stopped by PID. GitHub OAuth points at `githubUrl` (the GitHub stand-in).
 */
export async function startSupabase(
  options: { githubUrl?: string; siteUrl?: string; redirectUrls?: string[] } = {},
): Promise<SupabaseStandUp> {
  const pg = await startPostgres();
  const connect = () => postgres(pg.url, { max: 4, onnotice: () => undefined });
  let sql = connect();
  let lite: StartedProcess | undefined;
  try {
    await prepareSupabaseDatabase(pg);
    await applyMigrations(sql);
    const anon = await generateApiKey('publishable');
    const secret = await generateApiKey('secret');
    // Auth builds its own callback URL (GitHub's redirect_uri) from its external URL, so the
    // port has to be known before it starts.
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    lite = await startProcess(process.execPath, [LITE_MAIN], {
      cwd: path.dirname(LITE_MAIN),
      env: {
        PATH: process.env.PATH,
        DO_NOT_TRACK: '1',
        NODE_NO_WARNINGS: '1',
        SUPALITE_CONFIG: JSON.stringify({
          pgUrl: pg.url,
          port,
          anonKey: anon.key,
          secretKey: secret.key,
          jwtSecret: randomBytes(32).toString('hex'),
          siteUrl: options.siteUrl ?? 'http://127.0.0.1:3000',
          redirectUrls: options.redirectUrls ?? [],
          githubUrl: options.githubUrl,
        }),
      },
      ready: /supabase-lite listening/,
    });
    const running = lite;
    // @supabase/lite grants its API roles everything in a schema with row level security, once,
    // on its first request that needs it (as a Supabase project's default privileges grant
    // them everything on each new table); the migrations ran before that. That request now,
    // then the migrations' privileges again, so the tests see what a project has.
    const first = await fetch(`${url}/rest/v1/workers?select=id`, {
      headers: { apikey: anon.key },
    });
    await first.arrayBuffer();
    await sql.unsafe(readFileSync(path.join(MIGRATIONS_DIR, PRIVILEGES_MIGRATION), 'utf8'));
    return {
      url,
      anonKey: anon.key,
      serviceRoleKey: secret.key,
      postgres: pg,
      get sql() {
        return sql;
      },
      // Our own pool is closed first: a client left on a dead server throws from its timers.
      stopDatabase: async () => {
        await sql.end({ timeout: 1 });
        await pg.stop();
      },
      startDatabase: async () => {
        await pg.start();
        sql = connect();
      },
      close: async () => {
        await running.stop('SIGTERM');
        await sql.end({ timeout: 1 });
        await pg.close();
      },
    };
  } catch (error) {
    await lite?.stop('SIGTERM');
    await sql.end({ timeout: 1 });
    await pg.close();
    throw error;
  }
}
