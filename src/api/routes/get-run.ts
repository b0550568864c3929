import type { FastifyInstance } from 'fastify';
import { runNotFound } from '../../domain/errors.ts';
import { renderRunDetail } from '../../domain/run.ts';
import { RunDetailSchema, SessionParams } from '../../domain/schemas.ts';
import { keyedRoute } from './keyed-route.ts';

export function getRunRoute(app: FastifyInstance): void {
  app.get('/run/:session_id', {
    ...keyedRoute,
    schema: { ...keyedRoute.schema, summary: 'One run with its credential and event history', params: SessionParams, response: { 200: RunDetailSchema } },
    handler: async (request, reply) => {
      const sessionId = (request.params as { session_id: string }).session_id.toLowerCase();
      const detail = await request.runs.getRun(sessionId);
      if (detail === null) throw runNotFound(sessionId);
      return reply.type('application/json; charset=utf-8').send(renderRunDetail(detail.run, detail.events));
    },
  });
}
