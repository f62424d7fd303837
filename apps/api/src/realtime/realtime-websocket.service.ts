import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { ErrorCode } from '@ps/common';
import { ApiConfig } from '@ps/config';
import { Authenticator } from '../auth/authenticator';
import type { Actor } from '../http/actor';
import { buildProblem } from '../http/problem';
import { allowedOrigins, credentialsRequest, originAllowed, refusalOf } from './realtime-auth';
import { parseSubscription, type RealtimeClient } from './realtime-client';
import { RealtimeHub } from './realtime-hub.service';

/** The documented path and the original system's spelling. */
export const WEBSOCKET_PATHS = ['/ws/prompt-studio', '/ws/prompt_studio'];

/** Whether an upgrade request's URL is this endpoint's (query string aside). */
export function isWebSocketPath(url: string | undefined): boolean {
  return WEBSOCKET_PATHS.includes((url ?? '/').split('?')[0]);
}

const PING_INTERVAL_MS = 25_000;
const MAX_MESSAGE_BYTES = 64 * 1024;
/** A client this far behind on reading is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

interface Connection {
  client: RealtimeClient;
  alive: boolean;
}

/**
 * Plain WebSocket endpoint speaking the original protocol: `{type:'subscribe'|'unsubscribe',
 * entity_type, entity_id}`, `{type:'ping'}`; the server answers `{type:'subscribed'|
 * 'unsubscribed'|'pong'|'error', data}` and sends events as `{type, data, project_id,
 * timestamp}`. The upgrade is authenticated before it is accepted (X-API-Key / Authorization
 * headers, or `api_key` / `token` query parameters for browsers); a refusal is an HTTP problem
 * response (401, 403). Upgrades on other paths are left alone (Socket.IO serves its own; see
 * RealtimeIoAdapter for the rest).
 */
@Injectable()
export class RealtimeWebSocketService
  implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('Realtime');
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  private readonly connections = new Map<WebSocket, Connection>();
  private readonly origins: string[];
  private httpServer?: Server;
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly authenticator: Authenticator,
    private readonly hub: RealtimeHub,
    config: ApiConfig,
  ) {
    this.origins = allowedOrigins(config);
  }

  onModuleInit(): void {
    this.httpServer = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    this.httpServer?.on('upgrade', this.onUpgrade);
    this.heartbeat = setInterval(() => this.checkAlive(), PING_INTERVAL_MS);
    this.heartbeat.unref();
  }

  /** No new connections from here on; the hub closes the open ones. */
  beforeApplicationShutdown(): void {
    this.httpServer?.off('upgrade', this.onUpgrade);
    clearInterval(this.heartbeat);
  }

  onApplicationShutdown(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (!isWebSocketPath(req.url)) return;
    this.accept(req, socket, head, new URL(req.url ?? '/', 'http://localhost')).catch(
      (err: unknown) => {
        this.logger.error({ err }, 'WebSocket upgrade failed');
        refuse(socket, 'internal_error', 'Could not open the connection.');
      },
    );
  };

  private async accept(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) {
    socket.on('error', () => socket.destroy());
    if (!originAllowed(req.headers, this.origins)) {
      refuse(socket, 'forbidden', 'This origin may not open realtime connections.');
      return;
    }
    let actor: Actor;
    try {
      actor = await this.authenticator.authenticate(
        credentialsRequest(req.headers, {
          apiKey: url.searchParams.get('api_key') ?? undefined,
          token: url.searchParams.get('token') ?? undefined,
        }),
      );
    } catch (err) {
      const refusal = refusalOf(err);
      if (refusal.code === 'internal_error') {
        this.logger.error({ err }, 'WebSocket authentication failed');
      }
      refuse(socket, refusal.code, refusal.detail);
      return;
    }
    if (socket.destroyed) return;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, actor));
  }

  private attach(ws: WebSocket, actor: Actor): void {
    const client: RealtimeClient = {
      actor,
      send: (event) => this.send(ws, event),
      close: () => {
        ws.close(1001, 'Server shutting down');
        // A peer that does not answer the close handshake must not hold the shutdown.
        setTimeout(() => ws.terminate(), 1_000).unref();
      },
    };
    const connection: Connection = { client, alive: true };
    this.connections.set(ws, connection);
    this.hub.connect(client);
    ws.on('pong', () => (connection.alive = true));
    ws.on('message', (data) => {
      this.onMessage(ws, client, data).catch((err: unknown) => {
        this.logger.error({ err }, 'WebSocket message failed');
        this.sendError(ws, 'internal_error', 'The message could not be handled.');
      });
    });
    ws.on('error', (err) => this.logger.debug(`WebSocket error: ${err.message}`));
    ws.on('close', () => {
      this.hub.disconnect(client);
      this.connections.delete(ws);
    });
  }

  private async onMessage(ws: WebSocket, client: RealtimeClient, data: RawData): Promise<void> {
    let message: unknown;
    try {
      message = JSON.parse(rawText(data));
    } catch {
      this.sendError(ws, 'invalid_json', 'The message is not valid JSON.');
      return;
    }
    const type = (message as { type?: unknown } | null)?.type;
    if (type === 'ping') {
      this.send(ws, { type: 'pong' });
      return;
    }
    if (type !== 'subscribe' && type !== 'unsubscribe') {
      this.sendError(
        ws,
        'validation_failed',
        'type must be one of subscribe, unsubscribe or ping.',
      );
      return;
    }
    const parsed = parseSubscription(message);
    if (!parsed.ok) {
      this.sendError(ws, parsed.code, parsed.detail);
      return;
    }
    const outcome =
      type === 'subscribe'
        ? await this.hub.subscribe(client, parsed.target)
        : this.hub.unsubscribe(client, parsed.target);
    if (outcome.ok) {
      this.send(ws, { type: `${type}d`, data: { ...parsed.target } });
    } else {
      this.sendError(ws, outcome.code, outcome.detail, { ...parsed.target });
    }
  }

  private send(ws: WebSocket, message: object): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.logger.warn('Dropped a WebSocket client that stopped reading.');
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(message));
  }

  private sendError(ws: WebSocket, code: ErrorCode, detail: string, extra: object = {}): void {
    this.send(ws, { type: 'error', data: { code, detail, ...extra } });
  }

  /** Pings every client; one that did not answer the previous ping is gone. */
  private checkAlive(): void {
    for (const [ws, connection] of this.connections) {
      if (!connection.alive) {
        ws.terminate();
        continue;
      }
      connection.alive = false;
      ws.ping();
    }
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** Answers a refused upgrade with a problem document, as the HTTP API would. */
function refuse(socket: Duplex, code: ErrorCode, detail: string): void {
  if (socket.destroyed) return;
  const problem = buildProblem(code, detail);
  const body = JSON.stringify(problem);
  const headers = [
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...(problem.status === 401
      ? ['WWW-Authenticate: Bearer realm="prompt-studio", ApiKey header="X-API-Key"']
      : []),
  ];
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
}
