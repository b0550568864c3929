import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { invalidIdempotencyKey } from '../../domain/errors.ts';
import { CreateRunBody, RunSchema, type CreateRunInput } from '../../domain/schemas.ts';
import { keyedRoute } from './keyed-route.ts';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The extra objects CloudCruise clients send, kept with the run as one JSON text. */
function inputsOf(body: CreateRunInput): string | null {
  const { run_input_variables, webhook, additional_context } = body;
  const kept = Object.entries({ run_input_variables, webhook, additional_context }).filter(([, v]) => v != null);
  return kept.length === 0 ? null : JSON.stringify(Object.fromEntries(kept));
}

export function createRunRoute(app: FastifyInstance): void {
  app.post('/run', {
    ...keyedRoute,
    schema: { ...keyedRoute.schema, summary: 'Record a new run', body: CreateRunBody, response: { 201: RunSchema } },
    handler: async (request, reply) => {
      const body = request.body as CreateRunInput;
      const header = request.headers['idempotency-key'];
      if (header !== undefined && (typeof header !== 'string' || !IDEMPOTENCY_KEY.test(header))) throw invalidIdempotencyKey();
      const idempotency =
        header === undefined ? undefined : { key: header, bodyHash: createHash('sha256').update(JSON.stringify(body)).digest('base64url') };
      const created = await request.runs.createRun(
        {
          workflowId: body.workflow_id.toLowerCase(),
          credentialId: body.credential_id ?? null,
          dryRun: typeof body.dry_run === 'object' ? body.dry_run.enabled : (body.dry_run ?? false),
          inputs: inputsOf(body),
        },
        idempotency,
      );
      if (created.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).type('application/json; charset=utf-8').send(created.body);
    },
  });
}
