import type { GithubWebhookForward } from '@grove/contract';
import type { Logger } from 'pino';

import { resolveRepoSource } from '../sessions/repo-source';
import type { AuditWho, GitStore } from './git-store';

export interface WebhookServiceOptions {
  githubUrl: string;
  store: GitStore;
  logger: Logger;
}

/**
 * GitHub events, already authenticated by the web (signature) and trimmed to what is used.
 * Each delivery is applied at most once and always leaves an audit line.
 */
export class WebhookService {
  readonly #o: WebhookServiceOptions;

  constructor(options: WebhookServiceOptions) {
    this.#o = options;
  }

  #repoKey(fullName: string): string | undefined {
    try {
      return resolveRepoSource(fullName, { githubUrl: this.#o.githubUrl, allowLocalRepos: false })
        .key;
    } catch {
      return undefined;
    }
  }

  handle(
    forward: GithubWebhookForward,
    who: AuditWho,
  ): { duplicate: boolean; sessionsUpdated: number } {
    const { store } = this.#o;
    const result = store.applyDelivery(forward.deliveryId, forward.event, () => {
      if (forward.event === 'push') {
        const { ref, after, repository } = forward.payload;
        store.auditRepositoryEvent('github.push', repository.full_name, who, {
          deliveryId: forward.deliveryId,
          ref,
          after,
        });
        const key = this.#repoKey(repository.full_name);
        const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
        if (!key || !branch) return 0;
        return store.markBaseMoved(key, branch, who, { deliveryId: forward.deliveryId, after });
      }
      if (forward.event === 'pull_request') {
        const { action, number, pull_request: pr, repository } = forward.payload;
        store.auditRepositoryEvent('github.pull_request', repository.full_name, who, {
          deliveryId: forward.deliveryId,
          action,
          number,
        });
        const key = this.#repoKey(repository.full_name);
        if (!key) return 0;
        const state =
          action === 'closed'
            ? pr.merged
              ? 'merged'
              : 'closed'
            : action === 'reopened'
              ? 'open'
              : undefined;
        if (!state) return 0;
        return store.setPullRequestState(key, number, state, who, {
          deliveryId: forward.deliveryId,
          url: pr.html_url,
        });
      }
      store.auditRepositoryEvent(`github.${forward.name}`, forward.repository, who, {
        deliveryId: forward.deliveryId,
      });
      return 0;
    });
    this.#o.logger.info(
      { deliveryId: forward.deliveryId, event: forward.event, ...result },
      'github webhook',
    );
    return result;
  }
}
