/**
 * Eager validation of options and configs with zod, into `InvalidConfigError`s whose message
 * names the field and repeats the bad value, e.g.
 * `schedulePeriodic("led"): periodMs must be > 0 (got 0)`.
 */
import type { z } from 'zod';
import { InvalidConfigError } from './errors.js';

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = Object.hasOwn(value, key) ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  }
  return value;
}

/** A short, safe rendering of a value for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return 'undefined';
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Parse `input` with `schema`, or throw `InvalidConfigError` naming `where`, the field and the value. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 3).map((issue) => {
    const field = issue.path.length === 0 ? 'value' : issue.path.map(String).join('.');
    const got = issue.code === 'unrecognized_keys' ? '' : ` (got ${describeValue(valueAt(input, issue.path))})`;
    return `${field}: ${issue.message}${got}`;
  });
  throw new InvalidConfigError(`${where}: ${problems.join('; ')}`);
}
