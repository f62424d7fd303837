import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { PATH_METADATA } from '@nestjs/common/constants';
import { PERMISSION_KEY, PUBLIC_KEY } from './permissions';

/** Fails start-up if any route declares neither a permission nor @Public(). */
@Injectable()
export class RouteGuardCheck implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const unguarded: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as object | undefined;
      if (!instance) continue;
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as object;
        if (this.reflector.get<string | undefined>(PATH_METADATA, handler as never) === undefined) {
          continue;
        }
        const targets = [handler as never, wrapper.metatype as never];
        const open = this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets);
        const permission = this.reflector.getAllAndOverride<string>(PERMISSION_KEY, targets);
        if (!open && !permission) unguarded.push(`${wrapper.name}.${name}`);
      }
    }
    if (unguarded.length) {
      throw new Error(
        `Routes without @RequirePermission or @Public: ${unguarded.join(', ')}. Declare one.`,
      );
    }
  }
}
