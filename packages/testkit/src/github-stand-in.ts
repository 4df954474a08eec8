import { spawn } from 'node:child_process';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { childEnv } from './child-env';
import { git } from './git-fixtures';
import { makeTempDir } from './temp-dir';

export interface GitHubUser {
  login: string;
  id: number;
  name: string;
  email: string;
}

export interface StandInPull {
  number: number;
  owner: string;
  repo: string;
  title: string;
  body: string | null;
  head: string;
  base: string;
  draft: boolean;
  htmlUrl: string;
}

export interface GitHubStandIn {
  /** `GITHUB_URL` for the worker (git smart HTTP lives here). */
  url: string;
  /** `GITHUB_API_URL` (REST, under `/api/v3` as on GitHub Enterprise). */
  apiUrl: string;
  token: string;
  user: GitHubUser;
  /** Bare repositories, `<reposDir>/<owner>/<name>.git`. */
  reposDir: string;
  /**
   * Publishes `sourceDir` (a repository with commits) as the private repository `owner/name`.
   * Only its collaborators read it: `user` unless `collaborators` says otherwise.
   */
  addRepo: (fullName: string, sourceDir: string, options?: { collaborators?: string[] }) => string;
  /**
   * Another GitHub account with a token of its own. It reads only the repositories it is a
   * collaborator of; any other is, to it, a repository that does not exist (as on GitHub).
   */
  addUser: (user: Partial<GitHubUser> & { login: string }) => { user: GitHubUser; token: string };
  /** Makes `login` a collaborator of `owner/name`. */
  addCollaborator: (fullName: string, login: string) => void;
  bareRepoPath: (fullName: string) => string;
  pulls: StandInPull[];
  /** Every request: method, path, and whether it carried the right token. */
  requests: { method: string; path: string; authorized: boolean }[];
  /** The OAuth app GoTrue must present (`client_id`, `client_secret`). */
  oauthApp: { clientId: string; clientSecret: string };
  /** Every access token the OAuth endpoints issued (all `user`'s; they authorize REST and git). */
  issuedTokens: string[];
  /** Makes a token invalid, as when it expires or the user revokes it. */
  revokeToken: (token: string) => void;
  /**
   * The body GitHub posts for a `pull_request` event on one of `pulls` (`X-GitHub-Event:
   * pull_request`): `action`, `number`, the pull request as the REST API shows it (`state`
   * `closed` for `closed`, with `merged`, `merged_at`, `closed_at`), `repository` and `sender`.
   */
  pullRequestEvent: (
    number: number,
    action: 'opened' | 'closed' | 'reopened' | 'edited' | 'synchronize',
    options?: { merged?: boolean },
  ) => Record<string, unknown>;
  close: () => Promise<void>;
}

const GIT_PATH = /^\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)\.git(\/.*)$/;
const DOCS = 'https://docs.github.com/rest';

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The token a request carries, GitHub's ways: `Authorization: token|Bearer <t>` (REST) or
 * Basic with the token as password (git over HTTPS, any user name e.g. x-access-token).
 */
function offeredToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (!value) return undefined;
  if (/^(token|bearer)$/i.test(scheme ?? '')) return value;
  if (/^basic$/i.test(scheme ?? '')) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}

/**
 * A stand-in for GitHub on port 0: git's smart HTTP through `git http-backend` (the CGI that
 * ships with git) which requires a token whose account may read the repository (no valid
 * token: 401 asking for credentials; a valid one without access: 404 "Repository not found.",
 * which GitHub answers for a repository that is not there as for one the account may not see), GitHub's OAuth web flow (`/login/oauth/authorize`
 * consents at once, `/login/oauth/access_token` for codes and refresh tokens), and the REST
 * calls Grove and Supabase Auth use (`GET /user`, `GET /user/emails`, `GET /user/repos`, `POST /repos/{owner}/{repo}/pulls`, `GET …/pulls/{n}`) with GitHub's
 * response shapes and error bodies.
 */
export async function startGitHubStandIn(
  options: {
    token?: string;
    user?: Partial<GitHubUser>;
    oauthApp?: { clientId: string; clientSecret: string };
    /** Issue expiring user tokens with refresh tokens (GitHub Apps), instead of the fixed token. */
    expiringTokens?: boolean;
  } = {},
): Promise<GitHubStandIn> {
  const temp = makeTempDir('grove-github-');
  const reposDir = path.join(temp.dir, 'repos');
  const token = options.token ?? `ghp_${randomUUID().replace(/-/g, '')}`;
  const user: GitHubUser = {
    login: 'octo',
    id: 1001,
    name: 'Octo Cat',
    email: 'octo@example.com',
    ...options.user,
  };
  const pulls: StandInPull[] = [];
  const requests: GitHubStandIn['requests'] = [];
  const oauthApp = options.oauthApp ?? {
    clientId: 'grove-test-client',
    clientSecret: 'grove-test-client-secret',
  };
  /** Every valid token and the login of the account it belongs to. */
  const validTokens = new Map([[token, user.login]]);
  const users = new Map([[user.login, user]]);
  /** Who may read each repository (all are private). */
  const collaborators = new Map<string, Set<string>>();
  const issuedTokens: string[] = [];
  const codes = new Map<string, { redirectUri: string; scope: string }>();
  const refreshTokens = new Set<string>();
  let url = '';

  const bareRepoPath = (fullName: string) => path.join(reposDir, `${fullName}.git`);
  const canRead = (login: string | undefined, fullName: string) =>
    login !== undefined &&
    existsSync(bareRepoPath(fullName)) &&
    collaborators.get(fullName)?.has(login) === true;
  const repoJson = (fullName: string) => {
    const [owner, name] = fullName.split('/') as [string, string];
    const head = git(bareRepoPath(fullName), ['symbolic-ref', '--short', 'HEAD']).trim();
    return {
      id: Math.abs([...fullName].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7)),
      node_id: Buffer.from(`repo:${fullName}`).toString('base64'),
      name,
      full_name: fullName,
      private: true,
      owner: { login: owner, id: user.id, type: 'User' },
      html_url: `${url}/${fullName}`,
      clone_url: `${url}/${fullName}.git`,
      default_branch: head,
      permissions: { admin: true, push: true, pull: true },
    };
  };

  const serveGit = async (
    req: IncomingMessage,
    res: ServerResponse,
    owner: string,
    repo: string,
    rest: string,
    query: string,
  ) => {
    const body = await readBody(req);
    // The CGI gets an environment built from an allowlist, as a web server would give it.
    const env = childEnv({
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: reposDir,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      PATH_INFO: `/${owner}/${repo}.git${rest}`,
      QUERY_STRING: query,
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      CONTENT_LENGTH: String(body.length),
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
      GIT_PROTOCOL: (req.headers['git-protocol'] as string | undefined) ?? '',
      // An authenticated user enables receive-pack (push), as on a real server.
      REMOTE_USER: 'x-access-token',
      REMOTE_ADDR: '127.0.0.1',
    });
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.resume();
    // The CGI may answer without reading its input (refs advertisement, errors): no EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(body);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const raw = Buffer.concat(out);
    let split = raw.indexOf('\r\n\r\n');
    let sep = 4;
    if (split < 0) {
      split = raw.indexOf('\n\n');
      sep = 2;
    }
    if (split < 0) {
      res.writeHead(500).end(`http-backend failed (${code})\n`);
      return;
    }
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of raw.subarray(0, split).toString('latin1').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else headers[name] = value;
    }
    res.writeHead(status, headers);
    res.end(raw.subarray(split + sep));
  };

  const createPull = async (
    req: IncomingMessage,
    res: ServerResponse,
    owner: string,
    repo: string,
  ) => {
    const fullName = `${owner}/${repo}`;
    let input: { title?: unknown; head?: unknown; base?: unknown; body?: unknown; draft?: unknown };
    try {
      input = JSON.parse((await readBody(req)).toString('utf8')) as typeof input;
    } catch {
      sendJson(res, 400, {
        message: 'Problems parsing JSON',
        documentation_url: DOCS,
        status: '400',
      });
      return;
    }
    const exists = (branch: unknown) =>
      typeof branch === 'string' &&
      git(bareRepoPath(fullName), [
        'for-each-ref',
        '--format=%(objectname)',
        `refs/heads/${branch}`,
      ]).trim() !== '';
    const errors: { resource: string; field: string; code: string }[] = [];
    if (typeof input.title !== 'string' || input.title === '')
      errors.push({ resource: 'PullRequest', field: 'title', code: 'missing_field' });
    if (!exists(input.head))
      errors.push({ resource: 'PullRequest', field: 'head', code: 'invalid' });
    if (!exists(input.base))
      errors.push({ resource: 'PullRequest', field: 'base', code: 'invalid' });
    if (errors.length > 0) {
      sendJson(res, 422, {
        message: 'Validation Failed',
        errors,
        documentation_url: `${DOCS}/pulls/pulls#create-a-pull-request`,
        status: '422',
      });
      return;
    }
    const number = pulls.length + 1;
    const pull: StandInPull = {
      number,
      owner,
      repo,
      title: input.title as string,
      body: typeof input.body === 'string' ? input.body : null,
      head: input.head as string,
      base: input.base as string,
      draft: input.draft === true,
      htmlUrl: `${url}/${fullName}/pull/${number}`,
    };
    pulls.push(pull);
    sendJson(res, 201, pullJson(pull));
  };

  const pullJson = (pull: StandInPull) => {
    const fullName = `${pull.owner}/${pull.repo}`;
    const sha = (ref: string) =>
      git(bareRepoPath(fullName), ['rev-parse', `refs/heads/${ref}`]).trim();
    return {
      id: 500_000 + pull.number,
      node_id: Buffer.from(`pr:${fullName}:${pull.number}`).toString('base64'),
      url: `${url}/api/v3/repos/${fullName}/pulls/${pull.number}`,
      html_url: pull.htmlUrl,
      number: pull.number,
      state: 'open',
      locked: false,
      title: pull.title,
      body: pull.body,
      draft: pull.draft,
      merged: false,
      user: { login: user.login, id: user.id, type: 'User' },
      head: {
        label: `${pull.owner}:${pull.head}`,
        ref: pull.head,
        sha: sha(pull.head),
        repo: repoJson(fullName),
      },
      base: {
        label: `${pull.owner}:${pull.base}`,
        ref: pull.base,
        sha: sha(pull.base),
        repo: repoJson(fullName),
      },
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    };
  };

  /** GitHub's web flow, step 1: the user (already signed in, consenting) goes back with a code. */
  const authorize = (res: ServerResponse, query: URLSearchParams) => {
    const redirectUri = query.get('redirect_uri');
    if (query.get('client_id') !== oauthApp.clientId || !redirectUri) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    const code = randomUUID().replace(/-/g, '').slice(0, 20);
    codes.set(code, { redirectUri, scope: query.get('scope') ?? '' });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    const state = query.get('state');
    if (state) back.searchParams.set('state', state);
    res.writeHead(302, { location: back.toString() }).end();
  };

  const issue = (scope: string) => {
    const expiring = options.expiringTokens === true;
    const access = expiring ? `ghu_${randomUUID().replace(/-/g, '')}` : token;
    validTokens.set(access, user.login);
    issuedTokens.push(access);
    const answer: Record<string, unknown> = { access_token: access, token_type: 'bearer', scope };
    if (expiring) {
      const refresh = `ghr_${randomUUID().replace(/-/g, '')}`;
      refreshTokens.add(refresh);
      Object.assign(answer, {
        expires_in: 28_800,
        refresh_token: refresh,
        refresh_token_expires_in: 15_811_200,
      });
    }
    return answer;
  };

  /**
   * GitHub's web flow, step 2 (and refresh): form or JSON in; errors are 200 with an `error`
   * field, as GitHub does it.
   */
  const accessToken = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = (await readBody(req)).toString('utf8');
    const input = (req.headers['content-type'] ?? '').includes('json')
      ? new Map(Object.entries(JSON.parse(raw) as Record<string, string>))
      : new Map(new URLSearchParams(raw));
    const fail = (error: string, description: string) =>
      sendJson(res, 200, { error, error_description: description, error_uri: DOCS });
    if (
      input.get('client_id') !== oauthApp.clientId ||
      input.get('client_secret') !== oauthApp.clientSecret
    ) {
      fail(
        'incorrect_client_credentials',
        'The client_id and/or client_secret passed are incorrect.',
      );
      return;
    }
    if (input.get('grant_type') === 'refresh_token') {
      const refresh = input.get('refresh_token') ?? '';
      if (!refreshTokens.delete(refresh)) {
        fail('bad_refresh_token', 'The refresh token passed is incorrect or expired.');
        return;
      }
      sendJson(res, 200, issue(''));
      return;
    }
    const grant = codes.get(input.get('code') ?? '');
    codes.delete(input.get('code') ?? '');
    const redirect = input.get('redirect_uri');
    if (!grant || (redirect && redirect !== grant.redirectUri)) {
      fail('bad_verification_code', 'The code passed is incorrect or expired.');
      return;
    }
    sendJson(res, 200, issue(grant.scope));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const parsed = new URL(req.url ?? '/', 'http://stand-in');
    const offered = offeredToken(req);
    const login =
      offered === undefined
        ? undefined
        : [...validTokens].find(([valid]) => safeEqual(offered, valid))?.[1];
    const authorized = login !== undefined;
    const caller = login === undefined ? user : (users.get(login) ?? user);
    requests.push({ method: req.method ?? 'GET', path: parsed.pathname, authorized });

    if (req.method === 'GET' && parsed.pathname === '/login/oauth/authorize') {
      authorize(res, parsed.searchParams);
      return;
    }
    if (req.method === 'POST' && parsed.pathname === '/login/oauth/access_token') {
      await accessToken(req, res);
      return;
    }

    const gitMatch = GIT_PATH.exec(parsed.pathname);
    if (gitMatch) {
      if (!authorized) {
        // What GitHub answers a git client without (valid) credentials.
        res.writeHead(401, { 'www-authenticate': 'Basic realm="GitHub"' }).end();
        return;
      }
      if (!canRead(login, `${gitMatch[1]!}/${gitMatch[2]!}`)) {
        // Missing or not visible to this account: GitHub does not tell the two apart. Git
        // shows a text/plain body as `remote: Repository not found.`
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Repository not found.\n');
        return;
      }
      await serveGit(req, res, gitMatch[1]!, gitMatch[2]!, gitMatch[3]!, parsed.search.slice(1));
      return;
    }
    if (!parsed.pathname.startsWith('/api/v3/')) {
      res.writeHead(404).end('Not Found');
      return;
    }
    if (!authorized) {
      sendJson(res, 401, {
        message: 'Requires authentication',
        documentation_url: DOCS,
        status: '401',
      });
      return;
    }
    const api = parsed.pathname.slice('/api/v3'.length);
    if (req.method === 'GET' && api === '/user') {
      sendJson(res, 200, {
        ...caller,
        type: 'User',
        html_url: `${url}/${caller.login}`,
        avatar_url: `${url}/avatars/${caller.login}.png`,
      });
      return;
    }
    if (req.method === 'GET' && api === '/user/emails') {
      sendJson(res, 200, [
        { email: caller.email, primary: true, verified: true, visibility: 'public' },
      ]);
      return;
    }
    if (req.method === 'GET' && api === '/user/repos') {
      const repos = existsSync(reposDir)
        ? readdirSync(reposDir).flatMap((owner) =>
            readdirSync(path.join(reposDir, owner))
              .filter((name) => name.endsWith('.git'))
              .map((name) => `${owner}/${name.slice(0, -4)}`)
              .filter((fullName) => canRead(login, fullName))
              .map(repoJson),
          )
        : [];
      sendJson(res, 200, repos);
      return;
    }
    const pullsMatch = /^\/repos\/([^/]+)\/([^/]+)\/pulls(?:\/(\d+))?$/.exec(api);
    if (pullsMatch && !canRead(login, `${pullsMatch[1]!}/${pullsMatch[2]!}`)) {
      sendJson(res, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
      return;
    }
    if (pullsMatch && req.method === 'POST' && !pullsMatch[3]) {
      await createPull(req, res, pullsMatch[1]!, pullsMatch[2]!);
      return;
    }
    if (pullsMatch && req.method === 'GET' && pullsMatch[3]) {
      const pull = pulls.find(
        (p) =>
          p.owner === pullsMatch[1] &&
          p.repo === pullsMatch[2] &&
          p.number === Number(pullsMatch[3]),
      );
      if (pull) sendJson(res, 200, pullJson(pull));
      else sendJson(res, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
      return;
    }
    sendJson(res, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { message: String(error) });
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    apiUrl: `${url}/api/v3`,
    token,
    user,
    reposDir,
    bareRepoPath,
    addRepo: (fullName, sourceDir, repoOptions = {}) => {
      const target = bareRepoPath(fullName);
      git(path.dirname(sourceDir), ['clone', '--quiet', '--bare', sourceDir, target]);
      collaborators.set(fullName, new Set(repoOptions.collaborators ?? [user.login]));
      return target;
    },
    addUser: (partial) => {
      const added: GitHubUser = {
        id: 1001 + users.size,
        name: partial.login,
        email: `${partial.login}@example.com`,
        ...partial,
      };
      const addedToken = `ghp_${randomUUID().replace(/-/g, '')}`;
      users.set(added.login, added);
      validTokens.set(addedToken, added.login);
      return { user: added, token: addedToken };
    },
    addCollaborator: (fullName, login) => {
      const readers = collaborators.get(fullName);
      if (!readers) throw new Error(`no repository ${fullName}`);
      readers.add(login);
    },
    pulls,
    requests,
    oauthApp,
    issuedTokens,
    revokeToken: (revoked) => {
      validTokens.delete(revoked);
    },
    pullRequestEvent: (number, action, options = {}) => {
      const pull = pulls.find((p) => p.number === number);
      if (!pull) throw new Error(`no pull request #${number}`);
      const fullName = `${pull.owner}/${pull.repo}`;
      const closed = action === 'closed';
      const merged = closed && options.merged === true;
      const now = new Date().toISOString();
      return {
        action,
        number,
        pull_request: {
          ...pullJson(pull),
          state: closed ? 'closed' : 'open',
          merged,
          merged_at: merged ? now : null,
          closed_at: closed ? now : null,
          merge_commit_sha: merged ? 'f'.repeat(40) : null,
        },
        repository: repoJson(fullName),
        sender: { login: user.login, id: user.id, type: 'User' },
      };
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      temp.cleanup();
    },
  };
}
