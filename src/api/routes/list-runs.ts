import { finished, Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { encodeCursor } from '../../domain/cursor.ts';
import { lastRunOf } from '../../domain/run.ts';
import { toListQuery } from '../../domain/list-query.ts';
import type { QueryValues } from '../../domain/query-params.ts';
import { ListRunsQuery, RunSchema } from '../../domain/schemas.ts';
import { formatTimestamp, nowMicros } from '../../domain/timestamp.ts';
import { keyedRoute } from './keyed-route.ts';

/** The same query with the cursor replaced: the Link to the next page. */
function nextLink(url: string, token: string): string {
  const query = new URLSearchParams(url.slice(url.indexOf('?') + 1 || url.length));
  query.delete('cursor');
  query.append('cursor', token);
  return `</runs?${query}>; rel="next"`;
}

export function listRunsRoute(app: FastifyInstance): void {
  app.get('/runs', {
    ...keyedRoute,
    schema: {
      ...keyedRoute.schema,
      summary: 'List runs, newest first',
      querystring: ListRunsQuery,
      response: { 200: Type.Array(RunSchema) },
    },
    handler: async (request, reply) => {
      const query = toListQuery(request.query as QueryValues, nowMicros());
      const page = await request.runs.listRuns(query);
      // Sent, or the connection gone: either way the socket is done with lent bytes.
      if (page.release !== undefined) finished(reply.raw, page.release);
      reply.header('x-applied-start-time', formatTimestamp(query.start));
      reply.header('x-applied-end-time', formatTimestamp(query.end));
      const last = page.count === query.limit ? lastRunOf(page.body) : undefined;
      if (last !== undefined) {
        const token = encodeCursor(last);
        reply.header('x-next-cursor', token);
        reply.header('link', nextLink(request.url, token));
      }
      reply.type('application/json; charset=utf-8');
      if (page.release === undefined) return reply.send(page.body);
      // Lent bytes are a view of shared memory, which Fastify sends as bytes only from a stream.
      return reply.header('content-length', page.body.length).send(Readable.from([page.body], { objectMode: false }));
    },
  });
}
