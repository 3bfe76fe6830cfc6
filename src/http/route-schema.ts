/**
 * Route schemas from zod, the one validator of the project: each route declares zod schemas for
 * its params, query and body; Fastify gets their JSON Schema (for documentation and tooling) and
 * a validator compiler that runs the zod schema itself, so validation is strict and identical
 * whatever Ajv settings the host application chose (no coercion, no silently removed fields).
 */
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import { z } from 'zod';
import { InvalidConfigError } from '../errors.js';
import { parseOrThrow } from '../validation.js';
import { BadRequestError } from './errors.js';

type Part = 'params' | 'querystring' | 'body';

export type ZodRouteSchemas = Partial<Record<Part, z.ZodType>>;

export interface RouteValidation {
  schema: FastifySchema;
  validatorCompiler: FastifySchemaCompiler<unknown>;
}

export function zodRoute(schemas: ZodRouteSchemas): RouteValidation {
  const schema: Record<string, unknown> = {};
  for (const [part, zodSchema] of Object.entries(schemas)) schema[part] = z.toJSONSchema(zodSchema, { io: 'input' });
  return {
    schema,
    validatorCompiler: ({ httpPart }) => {
      const zodSchema = schemas[httpPart as Part];
      if (zodSchema === undefined) return () => true;
      return (data: unknown) => {
        try {
          return { value: parseOrThrow(zodSchema, data, httpPart ?? 'request') };
        } catch (error) {
          if (error instanceof InvalidConfigError) return { error: new BadRequestError(error.message) };
          throw error;
        }
      };
    },
  };
}
