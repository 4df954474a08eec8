import { describe, expect, it } from 'vitest';

import { httpOrigin } from './http-origin';

describe('httpOrigin', () => {
  it('puts an IPv6 address in brackets, and makes a URL of every host', () => {
    expect(httpOrigin('127.0.0.1', 3000)).toBe('http://127.0.0.1:3000');
    expect(httpOrigin('localhost', '3001')).toBe('http://localhost:3001');
    expect(httpOrigin('::1', 3000)).toBe('http://[::1]:3000');
    expect(httpOrigin('[::1]', 3000)).toBe('http://[::1]:3000');
    for (const host of ['127.0.0.1', '::1', '::', 'fe80::1', 'grove.lan'])
      expect(URL.canParse(httpOrigin(host, 3000)), host).toBe(true);
  });
});
