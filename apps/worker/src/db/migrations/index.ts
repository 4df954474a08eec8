import { sql as initial } from './0001-initial';
import { sql as terminals } from './0002-terminals';
import { sql as chat } from './0003-chat';
import { sql as git } from './0004-git';
import { sql as deadLetters } from './0005-outbox-dead-letters';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Numbered, append-only. Never edit one that has shipped: add the next number. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'terminals', sql: terminals },
  { version: 3, name: 'chat', sql: chat },
  { version: 4, name: 'git', sql: git },
  { version: 5, name: 'outbox-dead-letters', sql: deadLetters },
];
