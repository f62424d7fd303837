import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createEventBus, EVENT_BUS, type EventBus } from './event-bus';

/** Provides the EventBus (Redis when a URL is given, in-process otherwise). */
@Global()
@Module({})
export class EventsModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_BUS) private readonly bus: EventBus) {}

  static forRoot(options: { redisUrl?: string; prefix: string }): DynamicModule {
    return {
      module: EventsModule,
      providers: [
        { provide: EVENT_BUS, useFactory: () => createEventBus(options.redisUrl, options.prefix) },
      ],
      exports: [EVENT_BUS],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}
