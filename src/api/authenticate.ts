import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { rateLimited, shuttingDown, unauthorized } from '../domain/errors.ts';
import type { RunStore, WorkspaceRuns } from '../store/run-store.ts';
import { RateLimiter } from './rate-limiter.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The runs of the key's workspace: the only door to runs a route has. */
    runs: WorkspaceRuns;
  }
}

/** The onRequest hook of every keyed route: refused while the server closes, then cc-key to workspace, then the key's rate limit. */
export function authenticator(store: RunStore, rateLimit: number | null, closing: () => boolean): onRequestAsyncHookHandler {
  const limiter = rateLimit === null ? null : new RateLimiter(rateLimit);
  return async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    if (closing()) throw shuttingDown();
    const key = request.headers['cc-key'];
    const found = typeof key === 'string' && key !== '' ? await store.authenticate(key) : null;
    if (found === null) throw unauthorized(key !== undefined);
    request.runs = found.runs;
    if (limiter === null) return;
    const decision = limiter.take(found.keyId);
    reply.headers(decision.headers);
    if (!decision.allowed) throw rateLimited(decision.headers['retry-after']);
  };
}
