import { describe, expect, it } from 'vitest';

import { MAX_NEXT_PATH_LENGTH, safeNextPath, signInPath } from './next-path';

describe('the page to return to after sign-in', () => {
  it('keeps a path on this site, query and fragment included', () => {
    for (const path of ['/', '/sessions/abcdefghij0123', '/settings?tab=github#tokens', '/a/b/']) {
      expect(safeNextPath(path), path).toBe(path);
    }
  });

  it('sends anything else to /: other sites, schemes, tricks browsers undo', () => {
    for (const value of [
      '//evil.com',
      '/\\evil.com',
      '/\\/evil.com',
      'https://evil.com',
      'javascript:alert(1)',
      'evil.com',
      '',
      ' /sessions',
      '/\t/evil.com',
      '/\n/evil.com',
      '/sessions/\u00e9',
      '/a\\b',
      `/${'a'.repeat(MAX_NEXT_PATH_LENGTH)}`,
      undefined,
      null,
      ['/sessions/a', '/sessions/b'],
    ]) {
      expect(safeNextPath(value), JSON.stringify(value)).toBe('/');
    }
  });

  it('builds the sign-in link: bare for /, the path encoded in `next` otherwise', () => {
    expect(signInPath('/')).toBe('/sign-in');
    expect(signInPath('//evil.com')).toBe('/sign-in');
    expect(signInPath('/sessions/abc')).toBe('/sign-in?next=%2Fsessions%2Fabc');
    expect(signInPath('/x?a=1&b=2')).toBe('/sign-in?next=%2Fx%3Fa%3D1%26b%3D2');
    // Safe to put in an HTML attribute as it is.
    expect(signInPath('/x"<>')).toBe('/sign-in?next=%2Fx%22%3C%3E');
  });
});
