'use client';

import type { UserPreferences } from '@grove/contract';
import { useState } from 'react';

import { apiFetch } from '@/lib/api/browser';

/** /settings: the user's preferences (Supabase in Supabase mode, a local file otherwise). */
export function PreferencesForm({ initial }: { initial: UserPreferences }) {
  const [prefs, setPrefs] = useState(initial);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);

  async function save(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const answer = await apiFetch<{ preferences: UserPreferences }>('/api/user/preferences', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(prefs),
      });
      setPrefs(answer.preferences);
      // The root layout renders the theme; apply it now rather than on the next navigation.
      document.documentElement.dataset.theme = answer.preferences.theme;
      setMessage({ text: 'Saved', error: false });
    } catch (error) {
      setMessage({ text: error instanceof Error ? error.message : 'Failed', error: true });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void save(event)} data-testid="preferences-form">
      <div className="row">
        <div className="grow">
          <label htmlFor="pref-theme">Theme</label>
          <select
            id="pref-theme"
            value={prefs.theme}
            onChange={(event) =>
              setPrefs({ ...prefs, theme: event.target.value as UserPreferences['theme'] })
            }
          >
            <option value="system">System</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </div>
        <div className="grow">
          <label htmlFor="pref-branch">Default base branch</label>
          <input
            id="pref-branch"
            placeholder="the repo's default"
            value={prefs.defaultBaseBranch ?? ''}
            onChange={(event) =>
              setPrefs({ ...prefs, defaultBaseBranch: event.target.value.trim() || null })
            }
          />
        </div>
        <div>
          <label htmlFor="pref-font">Terminal font size</label>
          <input
            id="pref-font"
            type="number"
            min={8}
            max={32}
            value={prefs.terminalFontSize}
            onChange={(event) =>
              setPrefs({ ...prefs, terminalFontSize: Number(event.target.value) })
            }
          />
        </div>
        <button type="submit" disabled={busy}>
          Save preferences
        </button>
      </div>
      {message ? (
        <p role={message.error ? 'alert' : 'status'} className={message.error ? 'error' : 'muted'}>
          {message.text}
        </p>
      ) : null}
    </form>
  );
}
