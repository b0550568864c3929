/**
 * The one registry of error codes (contract section 3). Every error the API
 * sends is made here, so a code, its HTTP status and its wording never drift
 * apart; test/error-registry.test.ts checks each code is documented in the README.
 */
export const ERROR_CODES = {
  invalid_parameter: { status: 400, summary: 'a query parameter or body field is missing, malformed or out of range, or a single-valued parameter was given twice' },
  unknown_parameter: { status: 400, summary: 'a query parameter the endpoint does not know' },
  invalid_body: { status: 400, summary: 'the body is not valid JSON / NDJSON, or not an object' },
  invalid_request: { status: 400, summary: 'the request is not valid HTTP/1.1 (node refused it before any route saw it)' },
  unauthorized: { status: 401, summary: 'missing, unknown or revoked cc-key' },
  not_found: { status: 404, summary: 'no such run in this workspace, or no such route' },
  request_timeout: { status: 408, summary: 'the request did not arrive whole in time' },
  invalid_transition: { status: 409, summary: "an event that the run's current status does not allow" },
  idempotency_conflict: { status: 409, summary: 'an Idempotency-Key reused with a different body' },
  payload_too_large: { status: 413, summary: 'a body over the limit (1 MiB for JSON bodies)' },
  unsupported_media_type: { status: 415, summary: 'a body whose Content-Type the route does not take' },
  rate_limited: { status: 429, summary: 'too many requests for this key; Retry-After says when to come back' },
  headers_too_large: { status: 431, summary: 'the request line and headers are over 1 MiB' },
  internal_error: { status: 500, summary: 'a bug in runledger: reported without details, logged in full' },
  unavailable: { status: 503, summary: 'the database cannot be reached, or the server is shutting down; Retry-After is set' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
  error: ErrorCode;
  message: string;
  param?: string;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly param?: string;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, param?: string, headers: Record<string, string> = {}) {
    super(message);
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.param = param;
    this.headers = headers;
  }

  toBody(): ErrorBody {
    return this.param === undefined
      ? { error: this.code, message: this.message }
      : { error: this.code, message: this.message, param: this.param };
  }
}

/** Quotes a client's value for an error message, cut short so that a huge value cannot make a huge error. */
function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const cut = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(cut);
}

/** The largest JSON body a route takes. */
export const BODY_LIMIT = 1024 * 1024;

// Every error the API sends, made by one of these: the wording lives here, beside its code.

export const invalidParameter = (param: string, expected: string, got: unknown): ApiError =>
  new ApiError('invalid_parameter', `${param} must be ${expected}, got ${quote(got)}`, param);

export const parameterRequired = (param: string): ApiError => new ApiError('invalid_parameter', `${param} is required`, param);

export const parameterRepeated = (param: string): ApiError =>
  new ApiError('invalid_parameter', `${param} must be given once, got it more than once`, param);

export const tooManyValues = (param: string, allowed: string, got: number): ApiError =>
  new ApiError('invalid_parameter', `${param} takes ${allowed}, got ${got}`, param);

export const invalidIdempotencyKey = (): ApiError =>
  new ApiError('invalid_parameter', 'Idempotency-Key must be 1 to 255 visible ASCII characters', 'Idempotency-Key');

export const invalidPath = (): ApiError => new ApiError('invalid_parameter', 'the URL path is not valid percent-encoding');

export const unknownParameter = (param: string): ApiError =>
  new ApiError('unknown_parameter', `unknown query parameter ${JSON.stringify(param)}`, param);

/** what: 'the body', or 'the line' of an import. */
export const notAnObject = (what: string): ApiError => new ApiError('invalid_body', `${what} must be a JSON object`);

export const notJson = (reason: string): ApiError => new ApiError('invalid_body', `the body is not valid JSON: ${reason}`);

export const unauthorized = (keyGiven: boolean): ApiError =>
  new ApiError('unauthorized', keyGiven ? 'the cc-key is unknown or revoked' : 'the cc-key header is missing');

export const runNotFound = (sessionId: string): ApiError => new ApiError('not_found', `no run ${sessionId} in this workspace`, 'session_id');

/** The path quoted and cut short: it is the client's text, of any length. */
export const noRoute = (method: string, path: string): ApiError => new ApiError('not_found', `no route ${method} ${quote(path)}`);

export const invalidTransition = (status: string, event: string): ApiError =>
  new ApiError('invalid_transition', `a run in ${status} cannot move to ${event}`, 'event');

export const idempotencyConflict = (): ApiError =>
  new ApiError('idempotency_conflict', 'this Idempotency-Key was used with a different body in the last 24 hours');

export const payloadTooLarge = (): ApiError =>
  new ApiError('payload_too_large', `the body is over the limit of 1 MiB (${BODY_LIMIT.toLocaleString('en-US')} bytes)`);

/** takes: the route as the contract writes it (POST /run/{session_id}/events) and the one type it takes; unknown where Fastify found no parser. */
export const unsupportedMediaType = (takes?: { route: string; contentType: string }): ApiError =>
  new ApiError(
    'unsupported_media_type',
    takes === undefined ? 'this route does not take a body of that Content-Type' : `${takes.route} takes Content-Type: ${takes.contentType}`,
  );

export const rateLimited = (retryAfter: string): ApiError =>
  new ApiError('rate_limited', `too many requests for this key; retry in ${retryAfter} s`);

export const internalError = (): ApiError => new ApiError('internal_error', 'runledger failed to answer this request; the error is in its log');

/** A 503 either way: the client should come back in a second. */
const unavailableBecause = (message: string): ApiError => new ApiError('unavailable', message, undefined, { 'retry-after': '1' });

export const unavailable = (): ApiError => unavailableBecause('the database cannot be reached; try again shortly');

export const shuttingDown = (): ApiError => unavailableBecause('runledger is shutting down; try again shortly');

/** The largest request line and headers node takes: a list parameter of 1000 UUIDs is 37 KB, over node's default of 16 KiB. */
export const HEADER_LIMIT = 1024 * 1024;

/** What node refuses before Fastify sees a request, by node's error code; anything else is malformed HTTP. */
export const clientError = (nodeCode: string | undefined): ApiError =>
  nodeCode === 'ERR_HTTP_REQUEST_TIMEOUT'
    ? new ApiError('request_timeout', 'the request did not arrive whole in time')
    : nodeCode === 'HPE_HEADER_OVERFLOW'
      ? new ApiError('headers_too_large', `the request line and headers are over the limit of 1 MiB (${HEADER_LIMIT.toLocaleString('en-US')} bytes)`)
      : new ApiError('invalid_request', 'the request is not valid HTTP/1.1');

/** An import line naming a run another workspace holds (session_id is unique across the installation). */
export const foreignRun = (sessionId: string): string => `session_id ${sessionId} belongs to a run outside this workspace`;

// Why an import line was skipped, as its answer reports it beside the line's number (contract section 8).

export const lineNotJson = (): string => 'not valid JSON';

export const lineTooLong = (maxBytes: number): string => `longer than ${maxBytes} bytes`;

export const foreignWorkspace = (workspaceId: string): string => `workspace_id ${workspaceId} is not this key's workspace`;
