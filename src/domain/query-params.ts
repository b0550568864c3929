import { Kind, type TObject, type TSchema } from '@sinclair/typebox';
import { invalidParameter, parameterRepeated, tooManyValues, unknownParameter } from './errors.ts';
import { checkerFor } from './check.ts';

export type QueryValues = Record<string, string | number | string[]>;

const isList = (schema: TSchema): boolean => schema[Kind] === 'Array';

/**
 * Reads query pairs against an object schema of parameters: unknown names are
 * refused (a typo must not return unfiltered data), a single-valued name may
 * appear once, and a list may be repeated, comma-separated or bracketed
 * (`x[]=`), in any mix. Each value is checked with its schema; integers are
 * converted. Errors name the first parameter at fault in the order given.
 */
export function readQuery(schema: TObject, pairs: Array<[string, string]>): QueryValues {
  const values: QueryValues = {};
  for (const [rawName, raw] of pairs) {
    const bracketed = rawName.endsWith('[]');
    const name = bracketed ? rawName.slice(0, -2) : rawName;
    const field = Object.hasOwn(schema.properties, name) ? schema.properties[name] : undefined;
    if (field === undefined || (bracketed && !isList(field))) {
      throw unknownParameter(rawName);
    }
    if (isList(field)) {
      const list = (values[name] ??= []) as string[];
      for (const item of raw.split(',')) {
        if (!checkerFor(field.items)(item)) throw invalidParameter(name, `a list of ${field.items.description}`, item);
        list.push(item);
      }
      if (list.length > field.maxItems) throw tooManyValues(name, field.description ?? `at most ${field.maxItems} values`, list.length);
    } else {
      if (values[name] !== undefined) {
        throw parameterRepeated(name);
      }
      values[name] = readSingle(name, field, raw);
    }
  }
  return values;
}

function readSingle(name: string, field: TSchema, raw: string): string | number {
  const value = field.type === 'integer' ? (/^\d{1,15}$/.test(raw) ? Number(raw) : raw) : raw;
  if (!checkerFor(field)(value)) throw invalidParameter(name, field.description ?? 'valid', raw);
  return value;
}
