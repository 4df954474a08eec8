export * from './data-dir';
export * from './local-secrets';
export * from './http-origin';
