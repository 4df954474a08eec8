/** The browser's cookies for the web origin: what a real browser would keep and send. */
export class CookieJar {
  readonly cookies = new Map<string, { value: string; attributes: string }>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = /max-age=0\b/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line);
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, { value, attributes: attributes.join(';') });
    }
  }

  header(): string {
    return [...this.cookies].map(([name, c]) => `${name}=${c.value}`).join('; ');
  }
}

/**
 * Follows redirects like a browser, sending the jar only to the web app's origin. With
 * `stopBefore`, a redirect to a URL it matches is returned instead of followed.
 */
export async function browse(
  webUrl: string,
  jar: CookieJar,
  url: string,
  init: RequestInit = {},
  stopBefore?: (url: URL) => boolean,
): Promise<Response> {
  let next = url;
  let request = init;
  for (let hop = 0; hop < 10; hop += 1) {
    const web = new URL(next).origin === new URL(webUrl).origin;
    const headers = new Headers(request.headers);
    if (web && jar.cookies.size > 0) headers.set('cookie', jar.header());
    const response = await fetch(next, { ...request, headers, redirect: 'manual' });
    if (web) jar.take(response);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) return response;
    const target = new URL(location, next);
    if (stopBefore?.(target)) return response;
    next = target.toString();
    request = {};
  }
  throw new Error('too many redirects');
}

/** Headers of a same-origin browser request with a JSON body. */
export function sameOrigin(webUrl: string, json = false): Record<string, string> {
  return {
    origin: webUrl,
    'sec-fetch-site': 'same-origin',
    ...(json ? { 'content-type': 'application/json' } : {}),
  };
}

/** "Sign in with GitHub" through Supabase Auth and the GitHub stand-in; returns the jar. */
export async function signInWithGitHub(webUrl: string): Promise<CookieJar> {
  const jar = new CookieJar();
  const landed = await browse(webUrl, jar, `${webUrl}/auth/github`, {
    method: 'POST',
    headers: sameOrigin(webUrl),
  });
  if (landed.status !== 200) throw new Error(`sign-in landed with ${landed.status}`);
  return jar;
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
