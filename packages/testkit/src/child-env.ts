/**
 * A child process environment from a plain record. Next's types declare NODE_ENV required on
 * ProcessEnv; a child gets exactly the variables given, nothing inherited.
 */
export function childEnv(vars: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return Object.assign(Object.create(null) as NodeJS.ProcessEnv, vars);
}
