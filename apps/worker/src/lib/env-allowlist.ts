/**
 * Child processes (git, shells, the agent engine) get an environment built from an
 * allowlist, never `...process.env`: this copies just the named variables that are set.
 */
export function pickEnv(
  names: readonly string[],
  from: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = from[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
