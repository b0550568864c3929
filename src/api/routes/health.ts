import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { shuttingDown, unavailable } from '../../domain/errors.ts';
import { ErrorSchema, NoQuery } from '../../domain/schemas.ts';
import type { RunStore } from '../../store/run-store.ts';

const Status = Type.Object({ status: Type.String() });

export function healthRoutes(app: FastifyInstance, store: RunStore, closing: () => boolean): void {
  app.get('/healthz', { schema: { summary: 'The process is up', querystring: NoQuery, response: { 200: Status } } }, async () => ({
    status: 'ok',
  }));
  app.get(
    '/readyz',
    { schema: { summary: 'The database can be reached', querystring: NoQuery, response: { 200: Status, 503: ErrorSchema } } },
    async () => {
      // A load balancer stops sending new requests here once the server is closing.
      if (closing()) throw shuttingDown();
      try {
        await store.ping();
      } catch {
        throw unavailable();
      }
      return { status: 'ready' };
    },
  );
}
