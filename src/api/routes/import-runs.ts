import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { unsupportedMediaType } from '../../domain/errors.ts';
import { importItems } from '../../domain/import-line.ts';
import { ImportResultSchema } from '../../domain/schemas.ts';
import { keyedRoute } from './keyed-route.ts';

export function importRunsRoute(app: FastifyInstance): void {
  // The body is handed over as the raw stream: an import of any size is read a line at a time.
  app.addContentTypeParser('application/x-ndjson', (_request, payload, done) => done(null, payload));
  app.post('/runs/import', {
    ...keyedRoute,
    schema: {
      ...keyedRoute.schema,
      summary: 'Bulk-load runs from NDJSON (Content-Type: application/x-ndjson), one run a line',
      response: { 200: ImportResultSchema },
    },
    handler: async (request) => {
      if (request.body === undefined || request.body === null) return request.runs.importRuns(importItems([], request.runs.workspaceId));
      if (!(request.body instanceof Readable)) throw unsupportedMediaType({ route: 'POST /runs/import', contentType: 'application/x-ndjson' });
      return request.runs.importRuns(importItems(request.body, request.runs.workspaceId));
    },
  });
}
