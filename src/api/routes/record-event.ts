import type { FastifyInstance } from 'fastify';
import { runNotFound } from '../../domain/errors.ts';
import { EventBody, RunSchema, SessionParams, type EventInput } from '../../domain/schemas.ts';
import type { Status } from '../../domain/statuses.ts';
import { nowMicros, parseTimestamp } from '../../domain/timestamp.ts';
import { keyedRoute } from './keyed-route.ts';

export function recordEventRoute(app: FastifyInstance): void {
  app.post('/run/:session_id/events', {
    ...keyedRoute,
    schema: { ...keyedRoute.schema, summary: 'Move a run to a new status', params: SessionParams, body: EventBody, response: { 200: RunSchema } },
    handler: async (request, reply) => {
      const sessionId = (request.params as { session_id: string }).session_id.toLowerCase();
      const body = request.body as EventInput;
      const at = body.timestamp === undefined ? nowMicros() : parseTimestamp(body.timestamp)!;
      const run = await request.runs.recordEvent(sessionId, body.event as Status, at);
      if (run === null) throw runNotFound(sessionId);
      return reply.type('application/json; charset=utf-8').send(run);
    },
  });
}
