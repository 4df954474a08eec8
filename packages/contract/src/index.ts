export * from './errors';
export * from './health';
export * from './sessions';
export * from './terminals';
export * from './worker-auth';
export * from './files';
export * from './git';
export * from './chat';
