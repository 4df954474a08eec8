import { randomBytes } from 'node:crypto';
import path from 'node:path';

import {
  createSourceRepo,
  makeTempDir,
  startGitHubStandIn,
  startSupabase,
  type GitHubStandIn,
  type SupabaseStandUp,
} from '@grove/testkit';

import { startStack, type Stack, type StackOptions } from './stack';

export interface SupabaseStack {
  github: GitHubStandIn;
  supabase: SupabaseStandUp;
  stack: Stack;
  /** Scratch folder of this stack (the GitHub repos live in it). */
  dir: string;
  stop: () => Promise<void>;
}

/**
 * Grove in Supabase mode for tests: the GitHub stand-in (with `octo/hello` and any `repos`),
 * `@supabase/lite` on a real PostgreSQL pointed at it, and the built worker + `next start`
 * configured for both. Everything is stopped by PID in `stop`.
 */
export async function startSupabaseStack(
  options: {
    github?: Parameters<typeof startGitHubStandIn>[0];
    repos?: string[];
    /** Extra environment for web and worker; a function when it depends on the stand-in. */
    env?: Record<string, string> | ((github: GitHubStandIn) => Record<string, string>);
    stack?: StackOptions;
  } = {},
): Promise<SupabaseStack> {
  const temp = makeTempDir('grove-supa-stack-');
  // What has started so far, stopped again if a later part fails to start.
  const started: (() => Promise<void> | void)[] = [() => temp.cleanup()];
  const undo = async () => {
    for (const stop of started.reverse()) await stop();
  };
  let github: GitHubStandIn;
  let supabase: SupabaseStandUp;
  let stack: Stack;
  try {
    github = await startGitHubStandIn(options.github);
    started.push(() => github.close());
    for (const repo of ['octo/hello', ...(options.repos ?? [])]) {
      github.addRepo(repo, createSourceRepo(path.join(temp.dir, repo.replace('/', '-'))));
    }
    supabase = await startSupabase({ githubUrl: github.url });
    started.push(() => supabase.close());
    stack = await startStack(
      {
        NEXT_PUBLIC_SUPABASE_URL: supabase.url,
        NEXT_PUBLIC_SUPABASE_ANON_KEY: supabase.anonKey,
        SUPABASE_SERVICE_ROLE_KEY: supabase.serviceRoleKey,
        ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        GITHUB_URL: github.url,
        GITHUB_API_URL: github.apiUrl,
        ...(typeof options.env === 'function' ? options.env(github) : options.env),
      },
      options.stack,
    );
  } catch (error) {
    await undo();
    throw error;
  }
  return {
    github,
    supabase,
    stack,
    dir: temp.dir,
    stop: async () => {
      await stack.stop();
      await supabase.close();
      await github.close();
      temp.cleanup();
    },
  };
}
