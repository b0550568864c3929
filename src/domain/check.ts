import type { TObject, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { type ApiError, invalidParameter, parameterRequired } from './errors.ts';

export type FieldCheck = (value: unknown) => boolean;

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** A compiled check for one schema, made once and shared by every caller. */
export function checkerFor(schema: TSchema): FieldCheck {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check.Check.bind(check);
}

/**
 * Checks an object against an object schema field by field, in the schema's
 * order, so that the error names the first field at fault with a sentence
 * made from that field's own description.
 */
export function checkObject<T>(schema: TObject, value: unknown, notObject: () => ApiError): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw notObject();
  const record = value as Record<string, unknown>;
  const required = new Set(schema.required ?? []);
  for (const [name, field] of Object.entries(schema.properties)) {
    const present = record[name] !== undefined;
    if (!present) {
      if (required.has(name)) throw parameterRequired(name);
      continue;
    }
    if (!checkerFor(field)(record[name])) throw invalidParameter(name, field.description ?? 'valid', record[name]);
  }
  return value as T;
}
