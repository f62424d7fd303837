import type { PipeTransform, Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';

/** One argument a route handler takes from the request, as its decorators declared it. */
export interface RouteParam {
  kind: 'body' | 'query' | 'param';
  /** `@Param('id')` → 'id'; undefined for a whole body or query. */
  name?: string;
  /** The declared type (a DTO class, Number, …). */
  type?: Type;
  pipes: (Type<PipeTransform> | PipeTransform)[];
}

const KINDS: Partial<Record<number, RouteParam['kind']>> = {
  [RouteParamtypes.BODY]: 'body',
  [RouteParamtypes.QUERY]: 'query',
  [RouteParamtypes.PARAM]: 'param',
};

interface RouteArg {
  index: number;
  data?: unknown;
  pipes?: (Type<PipeTransform> | PipeTransform)[];
}

/**
 * The body, query and path arguments of a controller method, read from Nest's own route
 * metadata. Used to refuse bodies on routes that take none and to check the OpenAPI document
 * against what the handlers validate.
 */
export function routeParams(controller: Type, method: string): RouteParam[] {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<
    string,
    RouteArg
  >;
  const types = (Reflect.getMetadata('design:paramtypes', controller.prototype as object, method) ??
    []) as Type[];
  const out: RouteParam[] = [];
  for (const [key, arg] of Object.entries(args)) {
    const kind = KINDS[Number(key.split(':')[0])];
    if (!kind) continue;
    out.push({
      kind,
      name: typeof arg.data === 'string' ? arg.data : undefined,
      type: types[arg.index],
      pipes: arg.pipes ?? [],
    });
  }
  return out;
}

/** Whether the handler reads a request body at all. */
export function takesBody(controller: Type, method: string): boolean {
  return routeParams(controller, method).some((p) => p.kind === 'body');
}
