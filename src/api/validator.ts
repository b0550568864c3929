import type { TObject } from '@sinclair/typebox';
import type { FastifySchemaCompiler } from 'fastify';
import { notAnObject } from '../domain/errors.ts';
import { checkObject } from '../domain/check.ts';
import { readQuery } from '../domain/query-params.ts';

/**
 * Validates with the same TypeBox schemas that make the OpenAPI document,
 * through the domain's checks, so every refusal is an ApiError naming the
 * parameter. The query arrives as URLSearchParams (see build-app.ts) so that
 * repeats and order survive for readQuery.
 */
export const validatorCompiler: FastifySchemaCompiler<TObject> = ({ schema, httpPart }) => {
  if (httpPart === 'querystring') {
    return (query: unknown) => {
      try {
        return { value: readQuery(schema, [...(query as URLSearchParams)]) };
      } catch (error) {
        return { error: error as Error };
      }
    };
  }
  return (data: unknown) => {
    try {
      return { value: checkObject(schema, data, () => notAnObject('the body')) };
    } catch (error) {
      return { error: error as Error };
    }
  };
};
