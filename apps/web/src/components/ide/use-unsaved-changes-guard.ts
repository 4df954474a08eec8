'use client';

import { useEffect } from 'react';

/**
 * While `path` has unsaved edits, leaving the page asks first: the browser's own question on
 * unload, a confirm before an in-app link is followed (`discard` when the user agrees).
 */
export function useUnsavedChangesGuard(
  dirty: boolean,
  path: string | undefined,
  discard: (path: string) => void,
) {
  useEffect(() => {
    if (!dirty || !path) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    // In-app links navigate without unloading the page: ask before one of them is followed
    // (capture, so the question comes before the router's own click handler).
    const askOnLink = (event: MouseEvent) => {
      const link = (event.target as Element | null)?.closest?.('a[href]');
      if (!(link instanceof HTMLAnchorElement) || link.target === '_blank') return;
      if (window.confirm(`${path} has unsaved changes. Leave and discard them?`)) {
        discard(path);
        return;
      }
      event.preventDefault();
      event.stopPropagation();
    };
    window.addEventListener('beforeunload', warn);
    document.addEventListener('click', askOnLink, true);
    return () => {
      window.removeEventListener('beforeunload', warn);
      document.removeEventListener('click', askOnLink, true);
    };
  }, [dirty, path, discard]);
}
