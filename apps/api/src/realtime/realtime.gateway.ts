import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { Gauge } from 'prom-client';
import type { Namespace, Socket } from 'socket.io';
import { registeredMetric } from '@ps/common';
import { Public } from '../auth/permissions';
import { Authenticator } from '../auth/authenticator';
import { credentialsRequest, refusalOf } from './realtime-auth';
import {
  parseSubscription,
  type RealtimeClient,
  type SubscriptionOutcome,
} from './realtime-client';
import { RealtimeHub } from './realtime-hub.service';

export const SOCKET_IO_NAMESPACE = '/prompt-studio';

const connections = registeredMetric(
  'prompt_studio_socketio_connections',
  () =>
    new Gauge({
      name: 'prompt_studio_socketio_connections',
      help: 'Authenticated Socket.IO clients connected to this API process.',
    }),
);

/** What a refused handshake carries to the client's `connect_error` (as `err.data`). */
export interface HandshakeRefusal {
  code: string;
  detail: string;
}

/**
 * Socket.IO namespace `/prompt-studio`. A namespace middleware authenticates the handshake
 * (`auth.apiKey`, `auth.token`, or the X-API-Key / Authorization headers); a refused client gets
 * `connect_error` with `message` = the problem code and `data` = {code, detail}. Clients then
 * emit `subscribe` / `unsubscribe` with {entity_type, entity_id} and an ack callback, and
 * receive each event under its type name with the whole event as payload.
 */
// Authenticated once per connection by the middleware, so the per-message HTTP guard stays out.
@Public()
@WebSocketGateway({ namespace: SOCKET_IO_NAMESPACE })
export class RealtimeGateway
  implements OnGatewayInit<Namespace>, OnGatewayConnection<Socket>, OnGatewayDisconnect<Socket>
{
  private readonly logger = new Logger('Realtime');
  private readonly clients = new WeakMap<Socket, RealtimeClient>();

  constructor(
    private readonly hub: RealtimeHub,
    private readonly authenticator: Authenticator,
  ) {}

  afterInit(namespace: Namespace): void {
    namespace.use((socket, next) => {
      this.authenticate(socket).then(
        () => next(),
        (err: unknown) => {
          const refusal: HandshakeRefusal = refusalOf(err);
          if (refusal.code === 'internal_error') {
            this.logger.error({ err }, 'Socket.IO handshake authentication failed');
          }
          next(Object.assign(new Error(refusal.code), { data: refusal }));
        },
      );
    });
  }

  handleConnection(socket: Socket): void {
    const client = this.clients.get(socket);
    // Only authenticated sockets get past the middleware; this is a guard against misuse.
    if (!client) {
      socket.disconnect(true);
      return;
    }
    this.hub.connect(client);
    connections.inc();
  }

  handleDisconnect(socket: Socket): void {
    const client = this.clients.get(socket);
    if (client) {
      this.hub.disconnect(client);
      connections.dec();
    }
    this.clients.delete(socket);
  }

  @SubscribeMessage('subscribe')
  async subscribe(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: unknown,
  ): Promise<SubscriptionOutcome> {
    const client = this.clients.get(socket);
    const parsed = parseSubscription(body);
    if (!parsed.ok) return parsed;
    if (!client) return { ok: false, code: 'unauthenticated', detail: 'Not connected.' };
    return this.hub.subscribe(client, parsed.target);
  }

  @SubscribeMessage('unsubscribe')
  unsubscribe(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: unknown,
  ): SubscriptionOutcome {
    const client = this.clients.get(socket);
    const parsed = parseSubscription(body);
    if (!parsed.ok) return parsed;
    if (!client) return { ok: false, code: 'unauthenticated', detail: 'Not connected.' };
    return this.hub.unsubscribe(client, parsed.target);
  }

  private async authenticate(socket: Socket): Promise<void> {
    const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
    const actor = await this.authenticator.authenticate(
      credentialsRequest(socket.handshake.headers, {
        apiKey: typeof auth.apiKey === 'string' ? auth.apiKey : undefined,
        token: typeof auth.token === 'string' ? auth.token : undefined,
      }),
    );
    this.clients.set(socket, {
      actor,
      send: (event) => socket.emit(event.type, event),
      close: () => socket.disconnect(true),
    });
  }
}
