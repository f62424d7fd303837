import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { StudioEventStream, type SubscriptionError } from './studio-events';

/**
 * A dropped connection: socket.io-client reconnects on its own, but the rooms were the old
 * connection's. The stream joins them again, so events keep coming; a room refused on the way
 * back is reported. The server here speaks the product's subscribe protocol and nothing more.
 */
describe('StudioEventStream after a reconnect', () => {
  let http: HttpServer;
  let io: Server;
  let baseUrl: string;
  /** Rooms the server refuses from now on. */
  const refused = new Set<string>();

  beforeAll(async () => {
    http = createServer();
    io = new Server(http, { transports: ['websocket'] });
    io.of('/prompt-studio').on('connection', (socket) => {
      socket.on(
        'subscribe',
        (target: { entity_type: string; entity_id: number }, ack: (o: object) => void) => {
          const room = `${target.entity_type}:${target.entity_id}`;
          if (refused.has(room)) return ack({ ok: false, code: 'forbidden', detail: 'No access.' });
          void socket.join(room);
          ack({ ok: true, room });
        },
      );
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await io.close();
  });

  const progress = (projectId: number, n: number) => ({
    type: 'evaluation_progress',
    data: { evaluation_id: 1, completed: n, total: 10, progress: n * 10 },
    project_id: projectId,
    timestamp: new Date().toISOString(),
  });

  async function until(done: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('joins its rooms again and keeps delivering events; a refused room is reported', async () => {
    const stream = await StudioEventStream.connect({ baseUrl, apiKey: 'k' });
    try {
      const seen: number[] = [];
      stream.on('evaluation_progress', (e) => seen.push(e.data.completed));
      const rejoins: SubscriptionError[][] = [];
      stream.onRejoin((failed) => rejoins.push(failed));
      await stream.subscribe({ entity_type: 'project', entity_id: 7 });
      await stream.subscribe({ entity_type: 'project', entity_id: 8 });

      io.of('/prompt-studio').to('project:7').emit('evaluation_progress', progress(7, 1));
      await until(() => seen.length === 1, 'the first event');

      // The connection drops (not a server-side disconnect, which would not be retried).
      refused.add('project:8');
      for (const socket of io.of('/prompt-studio').sockets.values()) socket.conn.close();
      await until(() => rejoins.length === 1, 'the rejoin');
      expect(rejoins[0].map((e) => e.code)).toEqual(['forbidden']);

      io.of('/prompt-studio').to('project:7').emit('evaluation_progress', progress(7, 2));
      await until(() => seen.length === 2, 'an event after the reconnect');
      expect(seen).toEqual([1, 2]);
      const rooms = [...io.of('/prompt-studio').sockets.values()].flatMap((s) => [...s.rooms]);
      expect(rooms).toContain('project:7');
      expect(rooms).not.toContain('project:8');
    } finally {
      stream.close();
    }
  });
});
