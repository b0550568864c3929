/**
 * The one registry of error codes (contract section 3). Every error the API
 * sends is made here, so a code, its HTTP status and its wording never drift
 * apart; test/error-registry.test.ts checks each code is documented in the README.
 */
export const ERROR_CODES = {
  invalid_parameter: { status: 400, summary: 'a query parameter or body field is missing, malformed or out of range, or a single-valued parameter was given twice' },
  unknown_parameter: { status: 400, summary: 'a query parameter the endpoint does not know' },
  invalid_body: { status: 400, summary: 'the body is not valid JSON / NDJSON, or not an object' },
  unauthorized: { status: 401, summary: 'missing, unknown or revoked cc-key' },
  not_found: { status: 404, summary: 'no such run in this workspace, or no such route' },
  invalid_transition: { status: 409, summary: "an event that the run's current status does not allow" },
  idempotency_conflict: { status: 409, summary: 'an Idempotency-Key reused with a different body' },
  payload_too_large: { status: 413, summary: 'a body over the limit (1 MiB for JSON bodies)' },
  unsupported_media_type: { status: 415, summary: 'a body whose Content-Type the route does not take' },
  rate_limited: { status: 429, summary: 'too many requests for this key; Retry-After says when to come back' },
  internal_error: { status: 500, summary: 'a bug in runledger: reported without details, logged in full' },
  unavailable: { status: 503, summary: 'the database cannot be reached; Retry-After is set' },
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
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const cut = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(cut);
}

export const idempotencyConflict = (): ApiError =>
  new ApiError('idempotency_conflict', 'this Idempotency-Key was used with a different body in the last 24 hours');

export const invalidParameter = (param: string, expected: string, got: unknown): ApiError =>
  new ApiError('invalid_parameter', `${param} must be ${expected}, got ${quote(got)}`, param);
