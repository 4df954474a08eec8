export * from './data-dir';
export * from './local-secrets';
