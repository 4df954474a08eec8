import { describe, expect, it } from 'vitest';

import { isHttpsRequest } from './secure-cookie';

describe('isHttpsRequest', () => {
  it('follows X-Forwarded-Proto, the browser-side entry first', () => {
    expect(isHttpsRequest(new Headers({ 'x-forwarded-proto': 'https' }))).toBe(true);
    expect(isHttpsRequest(new Headers({ 'x-forwarded-proto': 'HTTPS, http' }))).toBe(true);
    expect(isHttpsRequest(new Headers({ 'x-forwarded-proto': 'http' }))).toBe(false);
    // The header wins over the URL, as in Next.js: the proxy saw the browser's scheme.
    const plain = new Headers({ 'x-forwarded-proto': 'http' });
    expect(isHttpsRequest(plain, new URL('https://grove.example/'))).toBe(false);
  });

  it("falls back to the URL's scheme without the header", () => {
    expect(isHttpsRequest(new Headers(), new URL('https://grove.example/'))).toBe(true);
    expect(isHttpsRequest(new Headers(), new URL('http://127.0.0.1:3000/'))).toBe(false);
    expect(isHttpsRequest(new Headers())).toBe(false);
  });
});
