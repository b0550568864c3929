import type { FastifyInstance } from 'fastify';
import { idempotencyOf, newRunOf } from '../../domain/new-run.ts';
import { CreateRunBody, RunSchema, type CreateRunInput } from '../../domain/schemas.ts';
import { keyedRoute } from './keyed-route.ts';

export function createRunRoute(app: FastifyInstance): void {
  app.post('/run', {
    ...keyedRoute,
    schema: { ...keyedRoute.schema, summary: 'Record a new run', body: CreateRunBody, response: { 201: RunSchema } },
    handler: async (request, reply) => {
      const body = request.body as CreateRunInput;
      const created = await request.runs.createRun(newRunOf(body), idempotencyOf(request.headers['idempotency-key'], body));
      if (created.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).type('application/json; charset=utf-8').send(created.body);
    },
  });
}
