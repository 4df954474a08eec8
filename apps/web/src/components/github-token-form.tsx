'use client';

import { useState } from 'react';

interface Props {
  connected: boolean;
  stored: boolean;
}

/**
 * Local mode: paste, replace or remove the owner's GitHub token. The token goes to the server
 * once (PUT, same origin) and is never read back: the page only ever sees the status.
 */
export function GitHubTokenForm({ connected, stored }: Props) {
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function send(method: 'PUT' | 'DELETE', token?: string) {
    setBusy(true);
    setMessage(null);
    try {
      const response = await fetch('/api/user/github-token', {
        method,
        headers: token ? { 'content-type': 'application/json' } : {},
        body: token ? JSON.stringify({ token }) : null,
      });
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as {
          error?: { message?: string; details?: { message: string }[] };
        } | null;
        setMessage(body?.error?.details?.[0]?.message ?? body?.error?.message ?? 'Failed');
        return;
      }
      window.location.reload();
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        const input = event.currentTarget.elements.namedItem('token') as HTMLInputElement;
        void send('PUT', input.value);
      }}
    >
      <div className="row">
        <div className="grow">
          <label htmlFor="token">{connected ? 'Replace GitHub token' : 'GitHub token'}</label>
          <input id="token" name="token" type="password" autoComplete="off" required />
        </div>
        <button type="submit" disabled={busy}>
          Save token
        </button>
        {stored ? (
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => void send('DELETE')}
          >
            Remove
          </button>
        ) : null}
      </div>
      {message ? (
        <p role="alert" className="error">
          {message}
        </p>
      ) : null}
    </form>
  );
}
