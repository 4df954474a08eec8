export * from './child-env';
export * from './git-fixtures';
export * from './processes';
export * from './temp-dir';
export * from './terminal-client';
export * from './worker-client';
export * from './github-stand-in';
export * from './github-webhooks';
