import { hash } from 'node:crypto';
import { invalidIdempotencyKey } from './errors.ts';
import type { Run } from './run.ts';
import type { CreateRunInput } from './schemas.ts';
import { MICROS_PER_DAY, type Micros } from './timestamp.ts';

/** A run as POST /run gives it (contract section 6); the server draws its session_id and created_at. */
export interface NewRun {
  workflowId: string;
  credentialId: string | null;
  dryRun: boolean;
  /** run_input_variables, webhook and additional_context, stored as given. */
  inputs: string | null;
}

export interface Idempotency {
  key: string;
  /** A digest of the request body: the same key with another body is a conflict. */
  bodyHash: string;
}

/** How long an Idempotency-Key answers with its first response (contract section 6). */
export const IDEMPOTENCY_WINDOW = MICROS_PER_DAY;

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The extra objects CloudCruise clients send, kept with the run as one JSON text. */
function inputsOf(body: CreateRunInput): string | null {
  const { run_input_variables, webhook, additional_context } = body;
  const kept = Object.entries({ run_input_variables, webhook, additional_context }).filter(([, v]) => v != null);
  return kept.length === 0 ? null : JSON.stringify(Object.fromEntries(kept));
}

export const newRunOf = (body: CreateRunInput): NewRun => ({
  workflowId: body.workflow_id.toLowerCase(),
  credentialId: body.credential_id ?? null,
  dryRun: typeof body.dry_run === 'object' ? body.dry_run.enabled : (body.dry_run ?? false),
  inputs: inputsOf(body),
});

/** The request's Idempotency-Key header with its body's digest; undefined without one. */
export function idempotencyOf(header: string | string[] | undefined, body: CreateRunInput): Idempotency | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !IDEMPOTENCY_KEY.test(header)) throw invalidIdempotencyKey();
  return { key: header, bodyHash: hash('sha256', JSON.stringify(body), 'base64url') };
}

/** The run POST /run makes: queued at createdAt, under a session_id drawn for it. */
export const queuedRun = (sessionId: string, workspaceId: string, input: NewRun, createdAt: Micros): Run => ({
  sessionId,
  workspaceId,
  workflowId: input.workflowId,
  status: 'execution.queued',
  createdAt,
  executionStart: null,
  executionEnd: null,
  dryRun: input.dryRun,
  credentialId: input.credentialId,
});
