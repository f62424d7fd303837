export * from './event-bus';
export * from './event-names';
export * from './event-payloads';
export * from './events.module';
export * from './iteration-throttle';
