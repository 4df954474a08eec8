import type { Extension } from '@codemirror/state';

/** The CodeMirror language for a file name, loaded only when such a file is opened. */
export async function languageFor(path: string): Promise<Extension | undefined> {
  const ext = path.split('.').pop()?.toLowerCase() ?? '';
  switch (ext) {
    case 'js':
    case 'mjs':
    case 'cjs':
    case 'jsx':
    case 'ts':
    case 'mts':
    case 'cts':
    case 'tsx': {
      const { javascript } = await import('@codemirror/lang-javascript');
      return javascript({ jsx: ext.endsWith('x'), typescript: ext.includes('t') });
    }
    case 'json':
      return (await import('@codemirror/lang-json')).json();
    case 'md':
    case 'markdown':
      return (await import('@codemirror/lang-markdown')).markdown();
    case 'py':
      return (await import('@codemirror/lang-python')).python();
    default:
      return undefined;
  }
}
