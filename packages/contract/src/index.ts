export * from './errors';
export * from './health';
export * from './sessions';
export * from './worker-auth';
export * from './chat';
