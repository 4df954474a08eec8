import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';

import { linkTarget, Markdown } from './markdown';

const render = (text: string) => renderToStaticMarkup(createElement(Markdown, { text }));

describe("the agent's Markdown links", () => {
  it('are links only to the web (http, https, mailto), opened elsewhere', () => {
    expect(render('[docs](https://example.com/a?b=1)')).toContain(
      '<a href="https://example.com/a?b=1" target="_blank" rel="noopener noreferrer nofollow">docs</a>',
    );
    expect(linkTarget('mailto:someone@example.com')).toBe('mailto:someone@example.com');
    // Scheme-relative forms the browser would resolve against this page: as parsed, elsewhere.
    expect(linkTarget('http:foo')).toBe('http://foo/');
    expect(linkTarget('HTTP:/api/workspace/sessions')).toBe('http://api/workspace/sessions');
  });

  it('stay plain text when unsafe or relative: no link back into the app', () => {
    for (const text of [
      '[x](javascript:alert(1))',
      '[x](data:text/html,hi)',
      '[x](src/index.ts)',
      '[x](/sessions/abc)',
      '[x]()',
    ]) {
      const html = render(text);
      expect(html, text).not.toContain('<a');
      expect(html, text).toContain('<span class="markdown-link-text">x</span>');
    }
  });
});
