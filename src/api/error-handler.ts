import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, type ErrorCode } from '../domain/errors.ts';
import { isUnavailableError } from '../store/run-store.ts';

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'invalid_body',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** Turns anything thrown into the contract's error shape; no stack, path or SQL ever reaches a client. */
export function toApiError(error: FastifyError | Error): ApiError {
  if (error instanceof ApiError) return error;
  if (isUnavailableError(error)) {
    return new ApiError('unavailable', 'the database cannot be reached; try again shortly', undefined, { 'retry-after': '1' });
  }
  if ((error as FastifyError).code === 'FST_ERR_BAD_URL') return new ApiError('invalid_parameter', 'the URL path is not valid percent-encoding');
  const status = (error as FastifyError).statusCode;
  const code = status === undefined ? undefined : BY_STATUS[status];
  if (code === 'payload_too_large') return new ApiError(code, 'the body is over the limit of 1 MiB (1,048,576 bytes)');
  if (code === 'unsupported_media_type') return new ApiError(code, 'this route does not take a body of that Content-Type');
  if (code === 'invalid_body') return new ApiError(code, `the body is not valid JSON: ${error.message.replace(/ in JSON at.*$/, '')}`);
  if (code === 'not_found') return new ApiError(code, 'no such route');
  return new ApiError('internal_error', 'runledger failed to answer this request; the error is in its log');
}

export function errorHandler(this: unknown, error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  const apiError = toApiError(error);
  if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
  return reply.code(apiError.status).headers(apiError.headers).type('application/json').send(apiError.toBody());
}
