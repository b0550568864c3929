/**
 * Every request and response shape, written once in TypeBox: the same objects
 * validate requests (src/domain/check.ts), type the code (Static<>) and make
 * the OpenAPI document (@fastify/swagger). A schema's `description` is also
 * the "must be …" part of the error message for a value that does not fit.
 */
import { Type, FormatRegistry, type Static } from '@sinclair/typebox';
import { STATUSES } from './statuses.ts';
import { parseTimestamp } from './timestamp.ts';
import { ERROR_CODES } from './errors.ts';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
FormatRegistry.Set('uuid', (value) => UUID.test(value));
FormatRegistry.Set('date-time', (value) => parseTimestamp(value) !== undefined);

export const MAX_LIST_VALUES = 1000;

const Uuid = Type.String({ format: 'uuid', description: 'a UUID' });
const Timestamp = Type.String({
  format: 'date-time',
  description: 'an RFC 3339 date-time with seconds and a zone, such as 2026-02-15T10:00:00Z',
});
export const Status = Type.Union(STATUSES.map((s) => Type.Literal(s)), { description: `one of ${STATUSES.join(', ')}` });
const CredentialId = Type.String({ minLength: 1, maxLength: 256, description: 'a string of 1 to 256 characters' });
const NullableTimestamp = Type.Union([Timestamp, Type.Null()], { description: 'an RFC 3339 date-time or null' });
const list = <T extends Parameters<typeof Type.Array>[0]>(item: T, what: string) =>
  Type.Array(item, { maxItems: MAX_LIST_VALUES, description: `at most ${MAX_LIST_VALUES} ${what}` });

export const RunSchema = Type.Object(
  {
    session_id: Uuid,
    status: Status,
    created_at: Timestamp,
    workflow_id: Uuid,
    workspace_id: Uuid,
    execution_start: NullableTimestamp,
    execution_end: NullableTimestamp,
    dry_run: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const RunDetailSchema = Type.Object(
  {
    ...RunSchema.properties,
    credential_id: Type.Union([CredentialId, Type.Null()]),
    events: Type.Array(Type.Object({ event: Status, timestamp: Timestamp })),
  },
);

export const ErrorSchema = Type.Object(
  {
    error: Type.Union(Object.keys(ERROR_CODES).map((c) => Type.Literal(c))),
    message: Type.String({ minLength: 1 }),
    param: Type.Optional(Type.String()),
  },
);

/** How far back start_time reaches, and how far ahead end_time may be (clock skew), in the contract's units. */
export const MAX_AGE_DAYS = 365;
export const CLOCK_SKEW_SECONDS = 60;

export const ListRunsQuery = Type.Object(
  {
    start_time: Type.Optional(Type.String({ ...Timestamp, description: `${Timestamp.description}, at most ${MAX_AGE_DAYS} days ago` })),
    end_time: Type.Optional(Type.String({ ...Timestamp, description: `${Timestamp.description}, at most ${CLOCK_SKEW_SECONDS} s from now` })),
    workflow_id: Type.Optional(Uuid),
    workflow_ids: Type.Optional(list(Uuid, 'UUIDs')),
    status: Type.Optional(Status),
    statuses: Type.Optional(list(Status, 'statuses')),
    credential_id: Type.Optional(CredentialId),
    credential_ids: Type.Optional(list(CredentialId, 'credential ids')),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 1000, description: 'an integer from 1 to 10000' })),
    cursor: Type.Optional(
      Type.String({ minLength: 1, description: 'an RFC 3339 date-time or an X-Next-Cursor token' }),
    ),
  },
  { additionalProperties: false },
);

export const SessionParams = Type.Object({ session_id: Uuid });
export const NoQuery = Type.Object({}, { additionalProperties: false });

const DryRun = Type.Union([Type.Boolean(), Type.Object({ enabled: Type.Boolean() })], {
  description: 'true, false or {"enabled": true|false}',
});
const Extra = Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()], { description: 'an object' });

export const CreateRunBody = Type.Object(
  {
    workflow_id: Uuid,
    credential_id: Type.Optional(CredentialId),
    dry_run: Type.Optional(DryRun),
    run_input_variables: Type.Optional(Extra),
    webhook: Type.Optional(Extra),
    additional_context: Type.Optional(Extra),
  },
  { additionalProperties: true },
);
export type CreateRunInput = Static<typeof CreateRunBody>;

export const EventBody = Type.Object(
  { event: Status, timestamp: Type.Optional(Timestamp) },
  { additionalProperties: true },
);
export type EventInput = Static<typeof EventBody>;

export const ImportLine = Type.Object(
  {
    session_id: Uuid,
    status: Status,
    created_at: Timestamp,
    workflow_id: Uuid,
    workspace_id: Type.Optional(Uuid),
    execution_start: Type.Optional(NullableTimestamp),
    execution_end: Type.Optional(NullableTimestamp),
    dry_run: Type.Optional(Type.Boolean({ description: 'true or false' })),
    credential_id: Type.Optional(Type.Union([CredentialId, Type.Null()], { description: 'a string of 1 to 256 characters or null' })),
  },
  { additionalProperties: true },
);
export type ImportLineInput = Static<typeof ImportLine>;

export const ImportResultSchema = Type.Object({
  inserted: Type.Integer(),
  updated: Type.Integer(),
  rejected: Type.Array(Type.Object({ line: Type.Integer(), message: Type.String() })),
  rejected_total: Type.Integer({ description: 'all rejected lines; `rejected` lists the first 10,000' }),
});
export type ImportResult = Static<typeof ImportResultSchema>;
