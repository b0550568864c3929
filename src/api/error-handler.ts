import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, clientError, internalError, invalidPath, noRoute, notJson, payloadTooLarge, unavailable, unsupportedMediaType } from '../domain/errors.ts';
import { isUnavailableError } from '../store/run-store.ts';

/** The 404 of a request no route takes: by the not-found handler, or Fastify's own. */
export const routeNotFound = (request: FastifyRequest): ApiError => noRoute(request.method, request.url.split('?')[0]);

/** Fastify's own refusals, by status, as the contract's errors. */
const BY_STATUS: Record<number, (error: FastifyError, request: FastifyRequest) => ApiError> = {
  400: (error) => notJson(error.message.replace(/ in JSON at.*$/, '')),
  404: (_error, request) => routeNotFound(request),
  413: () => payloadTooLarge(),
  415: () => unsupportedMediaType(),
};

/** Turns anything thrown into the contract's error shape; no stack, path or SQL ever reaches a client. */
function toApiError(error: FastifyError | Error, request: FastifyRequest): ApiError {
  if (error instanceof ApiError) return error;
  if (isUnavailableError(error)) return unavailable();
  if ((error as FastifyError).code === 'FST_ERR_BAD_URL') return invalidPath();
  const status = (error as FastifyError).statusCode;
  return (status === undefined ? undefined : BY_STATUS[status])?.(error as FastifyError, request) ?? internalError();
}

export function errorHandler(this: unknown, error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  const apiError = toApiError(error, request);
  // A client that hangs up mid-body (an import cut off) reaches here as ECONNRESET: its fault, not the server's or the database's.
  if (request.raw.readableAborted) request.log.info('the client closed the connection before its request was read to the end');
  else if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
  return reply.code(apiError.status).headers(apiError.headers).type('application/json').send(apiError.toBody());
}

/**
 * What node refuses before a request reaches Fastify: written straight to
 * the socket, which is then closed, as node and Fastify's own handler do.
 * A reset connection has no one left to answer.
 */
export function clientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const apiError = clientError(error.code);
  this.log.debug({ err: error }, 'client error');
  const body = JSON.stringify(apiError.toBody());
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
