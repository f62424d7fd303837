export * from './event-names';
