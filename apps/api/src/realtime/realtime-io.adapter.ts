import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import type { ApiConfig } from '@ps/config';
import { allowedOrigins, originAllowed } from './realtime-auth';
import { isWebSocketPath } from './realtime-websocket.service';

/**
 * Socket.IO on the API's HTTP server, with the browser origins the HTTP API allows (CORS for the
 * polling transport, an Origin check for every handshake).
 *
 * Upgrades: Engine.IO would end every upgrade outside its path after a delay unless something
 * was written, which races the WebSocket endpoint's authentication (a database read) and keeps
 * a timer per connection. Instead it leaves them alone, and upgrades on paths nobody serves are
 * dropped here at once (what Node does when no one listens).
 */
export class RealtimeIoAdapter extends IoAdapter {
  private readonly origins: string[];
  private guarded = false;

  constructor(app: INestApplication, config: ApiConfig) {
    super(app);
    this.origins = allowedOrigins(config);
  }

  override createIOServer(port: number, options?: Partial<ServerOptions>): Server {
    const server = super.createIOServer(port, {
      ...options,
      ...(this.origins.length ? { cors: { origin: this.origins, credentials: false } } : {}),
      allowRequest: (req: IncomingMessage, callback: (err: string | null, ok: boolean) => void) => {
        const ok = originAllowed(req.headers, this.origins);
        callback(ok ? null : 'Origin not allowed', ok);
      },
      destroyUpgrade: false,
    }) as Server;
    const httpServer = this.httpServer as HttpServer | undefined;
    if (httpServer && port === 0 && !this.guarded) {
      this.guarded = true;
      const ioPath = `${(options?.path ?? '/socket.io').replace(/\/$/, '')}/`;
      httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
        if (!(req.url ?? '/').startsWith(ioPath) && !isWebSocketPath(req.url)) socket.destroy();
      });
    }
    return server;
  }
}
