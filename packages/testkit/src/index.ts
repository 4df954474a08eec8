export * from './child-env';
export * from './git-fixtures';
export * from './processes';
export * from './temp-dir';
export * from './worker-client';
export * from './anthropic-stand-in';
export * from './sse-client';
