import { sql as initial } from './0001-initial';
import { sql as chat } from './0003-chat';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Numbered, append-only. Never edit one that has shipped: add the next number. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 3, name: 'chat', sql: chat },
];
