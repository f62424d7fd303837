import { createServer } from 'node:net';
import { RedisEventBus } from './event-bus';

/** A local port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('RedisEventBus while Redis is unreachable', () => {
  it('closes without an unhandled rejection from the pending subscribe', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const bus = new RedisEventBus(`redis://127.0.0.1:${await deadPort()}`, 'ps-test');
      const unsubscribe = bus.subscribe(() => undefined);
      // Closed while the first connection attempt is under way: ioredis rejects the queued
      // subscribe with "Connection is closed."
      unsubscribe();
      await bus.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});
