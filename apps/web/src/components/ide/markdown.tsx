import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';

// Links from the agent open elsewhere and never hand this page to the target.
const components: Components = {
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  ),
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
