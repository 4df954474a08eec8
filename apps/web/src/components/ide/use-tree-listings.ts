'use client';

import type { FileEntry, ListFilesResponse } from '@grove/contract';
import { useCallback, useEffect, useState } from 'react';

import { ApiError, apiFetch } from '@/lib/api/browser';
import { isWithin, listingCut, type ListingCut } from '@/lib/client/file-tree-model';
import { errorMessage } from '@/lib/client/format';

/** How often open folders are listed again while the page is in view. */
const TREE_POLL_MS = 10_000;

/**
 * The file tree's listings, lazily loaded: a folder is listed when first opened, and every open
 * folder is listed again when `version` changes (so the agent's new files show up), on
 * `refresh()`, every TREE_POLL_MS while the page is in view, and when the window comes back.
 * An open folder that is gone (deleted here, in the terminal, by the agent) just closes. A folder
 * the worker listed only in part (it holds more than it lists) has its cut in `cuts`.
 */
export function useTreeListings(sessionId: string, version: number) {
  const [listings, setListings] = useState<Record<string, FileEntry[]>>({});
  const [cuts, setCuts] = useState<Record<string, ListingCut | undefined>>({});
  const [open, setOpen] = useState<Set<string>>(() => new Set(['']));
  const [error, setError] = useState<string | undefined>();
  const [manual, setManual] = useState(0);
  const refresh = useCallback(() => setManual((m) => m + 1), []);

  const load = useCallback(
    async (dir: string) => {
      try {
        const data = await apiFetch<ListFilesResponse>(
          `/api/workspace/session/${sessionId}/files?path=${encodeURIComponent(dir)}`,
          { cache: 'no-store' },
        );
        setListings((all) => ({ ...all, [dir]: data.entries }));
        setCuts((all) => ({ ...all, [dir]: listingCut(data) }));
      } catch (e) {
        if (!(dir !== '' && e instanceof ApiError && e.status === 404)) throw e;
        setOpen((current) => withoutWithin(current, dir));
      }
    },
    [sessionId],
  );

  // Long commands and programs outside Grove change files too: look again now and then while
  // the page is in view, and when it comes back.
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const again = () => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    };
    const timer = setInterval(again, TREE_POLL_MS);
    window.addEventListener('focus', again);
    document.addEventListener('visibilitychange', again);
    return () => {
      clearInterval(timer);
      window.removeEventListener('focus', again);
      document.removeEventListener('visibilitychange', again);
    };
  }, []);

  useEffect(() => {
    let cancelled = false;
    Promise.all([...open].map((dir) => load(dir)))
      .then(() => !cancelled && setError(undefined))
      .catch((e: unknown) => !cancelled && setError(errorMessage(e)));
    return () => {
      cancelled = true;
    };
    // Open folders are reloaded on version changes; opening one loads it in expand().
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [load, version, manual, tick]);

  const expand = useCallback(
    (dir: string) => {
      setOpen((current) => new Set(current).add(dir));
      load(dir).catch((e: unknown) => setError(errorMessage(e)));
    },
    [load],
  );

  const collapse = useCallback((dir: string) => {
    setOpen((current) => {
      const next = new Set(current);
      next.delete(dir);
      return next;
    });
  }, []);

  /** `dir` and the folders inside it are no longer open (it was deleted). */
  const forget = useCallback(
    (dir: string) => setOpen((current) => withoutWithin(current, dir)),
    [],
  );

  return { listings, cuts, open, setOpen, error, refresh, expand, collapse, forget };
}

function withoutWithin(open: ReadonlySet<string>, dir: string): Set<string> {
  return new Set([...open].filter((p) => !isWithin(p, dir)));
}
