import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';

/**
 * A link the agent wrote, if it goes somewhere on the web: http(s) or mailto, absolute. An
 * unsafe URL (emptied by react-markdown) or a relative one (it would open this app's own pages,
 * the IDE itself for an empty one) stays plain text.
 */
export function linkTarget(href: string | undefined): string | undefined {
  if (!href || !URL.canParse(href)) return undefined;
  const url = new URL(href);
  // As parsed: the browser would resolve `http:foo` against this page, the URL parser does not.
  return ['http:', 'https:', 'mailto:'].includes(url.protocol) ? url.href : undefined;
}

// Links from the agent open elsewhere and never hand this page to the target.
const components: Components = {
  a: ({ href, children }) => {
    const target = linkTarget(href);
    if (!target) return <span className="markdown-link-text">{children}</span>;
    return (
      <a href={target} target="_blank" rel="noopener noreferrer nofollow">
        {children}
      </a>
    );
  },
};

/**
 * The agent's Markdown. react-markdown builds React elements (no innerHTML): raw HTML in the
 * text is not rendered (no rehype-raw) and `javascript:` and other unsafe URLs are dropped by
 * its default urlTransform.
 */
export function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={[remarkGfm]} components={components} skipHtml>
        {text}
      </ReactMarkdown>
    </div>
  );
}
