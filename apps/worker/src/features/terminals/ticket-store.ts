import { createHash, randomBytes } from 'node:crypto';

export interface TicketClaims {
  userId: string;
  sessionId: string;
  terminalId: string;
  expiresAt: number;
}

function hash(ticket: string): string {
  return createHash('sha256').update(ticket).digest('hex');
}

/**
 * Single-use tickets for terminal sockets. Only a hash of each ticket is kept, so a memory
 * dump does not yield usable tickets; `consume` deletes on first use, valid or not expired.
 */
export class TicketStore {
  readonly #tickets = new Map<string, TicketClaims>();
  readonly #ttlMs: number;

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  issue(claims: Omit<TicketClaims, 'expiresAt'>): { ticket: string; expiresAt: number } {
    this.#purge();
    const ticket = randomBytes(32).toString('base64url');
    const expiresAt = Date.now() + this.#ttlMs;
    this.#tickets.set(hash(ticket), { ...claims, expiresAt });
    return { ticket, expiresAt };
  }

  consume(ticket: string): TicketClaims | undefined {
    const key = hash(ticket);
    const claims = this.#tickets.get(key);
    this.#tickets.delete(key);
    if (!claims || claims.expiresAt < Date.now()) return undefined;
    return claims;
  }

  get size(): number {
    return this.#tickets.size;
  }

  #purge(): void {
    const now = Date.now();
    for (const [key, claims] of this.#tickets)
      if (claims.expiresAt < now) this.#tickets.delete(key);
  }
}
