import { NoQuery, ErrorSchema } from '../../domain/schemas.ts';

/** What every cc-key route shares in the OpenAPI document: the key and the error shape. */
export const keyedRoute = {
  config: { keyed: true },
  schema: {
    security: [{ ccKey: [] }],
    querystring: NoQuery,
    response: { '4xx': ErrorSchema, '5xx': ErrorSchema },
  },
} as const;
