import { z } from 'zod';

/** Type of a metric option, as listed by the registry. */
export type MetricOptionType =
  'boolean' | 'number' | 'integer' | 'string' | 'enum' | 'object' | 'label' | 'number_pair';

/** How the registry describes one option of a metric. */
export interface MetricOptionSpec {
  name: string;
  type: MetricOptionType;
  /** Allowed values of an `enum` option. */
  values?: readonly string[];
  /** Default value; null when the option has none. */
  default: unknown;
  required: boolean;
  description: string;
}

/** An option: its zod schema (with its default) and how it is described. */
export interface OptionDecl<S extends z.ZodType = z.ZodType> {
  schema: S;
  spec: Omit<MetricOptionSpec, 'name'>;
}

const decl = <S extends z.ZodType>(
  schema: S,
  type: MetricOptionType,
  description: string,
  extra: { default?: unknown; required?: boolean; values?: readonly string[] } = {},
): OptionDecl<S> => ({
  schema,
  spec: {
    type,
    ...(extra.values ? { values: extra.values } : {}),
    default: extra.default ?? null,
    required: extra.required ?? false,
    description,
  },
});

interface NumberBounds {
  min?: number;
  max?: number;
  /** Strictly greater than min. */
  exclusiveMin?: boolean;
}

function numberSchema(integer: boolean, { min, max, exclusiveMin }: NumberBounds) {
  let schema = integer ? z.number().int() : z.number();
  if (min !== undefined) schema = exclusiveMin ? schema.gt(min) : schema.min(min);
  if (max !== undefined) schema = schema.max(max);
  return schema;
}

/** Option declarations. Each keeps the zod default and the documented default in step. */
export const opt = {
  boolean: (def: boolean, description: string) =>
    decl(z.boolean().default(def), 'boolean', description, { default: def }),
  number: (def: number, description: string, bounds: NumberBounds = {}) =>
    decl(numberSchema(false, bounds).default(def), 'number', description, { default: def }),
  integer: (def: number, description: string, bounds: NumberBounds = {}) =>
    decl(numberSchema(true, bounds).default(def), 'integer', description, { default: def }),
  optionalInteger: (description: string, bounds: NumberBounds = {}) =>
    decl(numberSchema(true, bounds).optional(), 'integer', description),
  optionalString: (description: string) =>
    decl(z.string().min(1).optional(), 'string', description),
  /** A non-empty string with a default. */
  string: (def: string, description: string) =>
    decl(z.string().min(1).default(def), 'string', description, { default: def }),
  /** A string that may be empty. */
  text: (def: string, description: string) =>
    decl(z.string().default(def), 'string', description, { default: def }),
  enum: <const V extends readonly [string, ...string[]], D extends V[number]>(
    values: V,
    def: D,
    description: string,
  ) =>
    decl(z.enum(values).default(def as never), 'enum', description, {
      default: def,
      values,
    }),
  requiredObject: (description: string) =>
    decl(z.record(z.string(), z.unknown()), 'object', description, { required: true }),
  /** A class label: a string, a number or a boolean. */
  optionalLabel: (description: string) =>
    decl(
      z
        .union([z.string(), z.number(), z.boolean()], {
          error: 'must be a string, a number or a boolean',
        })
        .optional(),
      'label',
      description,
    ),
  numberPair: (def: [number, number], description: string) =>
    decl(z.tuple([z.number(), z.number()]).default(def), 'number_pair', description, {
      default: def,
    }),
};

type Shape<D extends Record<string, OptionDecl>> = { [K in keyof D]: D[K]['schema'] };

/** The strict zod object of a set of option declarations, and their registry descriptions. */
export function defineOptions<D extends Record<string, OptionDecl>>(decls: D) {
  const shape = Object.fromEntries(
    Object.entries(decls).map(([name, d]) => [name, d.schema]),
  ) as Shape<D>;
  const specs: MetricOptionSpec[] = Object.entries(decls).map(([name, d]) => ({
    name,
    ...d.spec,
  }));
  return { schema: z.strictObject(shape), specs };
}
