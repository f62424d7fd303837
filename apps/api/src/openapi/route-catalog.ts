import type { INestApplication, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import type { NestContainer } from '@nestjs/core/injector/container';
import { PUBLIC_KEY } from '@ps/common';
import { type RouteParam, routeParams } from '../http/route-params';

/** A controller method that serves a route, keyed by its method name (the operationId). */
export interface CatalogRoute {
  controller: Type;
  method: string;
  /** @Public(): no credentials needed. */
  isPublic: boolean;
  params: RouteParam[];
}

/**
 * Every route handler of the app, read from the module graph the way the Swagger scanner reads
 * it (works in preview mode, where no provider is instantiated).
 */
export function routeCatalog(app: INestApplication): Map<string, CatalogRoute> {
  const container = (app as unknown as { container: NestContainer }).container;
  const routes = new Map<string, CatalogRoute>();
  for (const module of container.getModules().values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | undefined;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const method of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[method];
        if (method === 'constructor' || typeof handler !== 'function') continue;
        if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        routes.set(method, {
          controller,
          method,
          isPublic: Boolean(
            Reflect.getMetadata(PUBLIC_KEY, handler) ?? Reflect.getMetadata(PUBLIC_KEY, controller),
          ),
          params: routeParams(controller, method),
        });
      }
    }
  }
  return routes;
}
