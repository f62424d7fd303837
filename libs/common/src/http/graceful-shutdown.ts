import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { stopTracing } from '../observability/tracing';

/** Signals that arrive this soon after the first are the same request delivered twice. */
const DUPLICATE_SIGNAL_MS = 1000;

/**
 * Stops accepting connections at once; the requests already running finish. Kept-alive
 * connections are closed as soon as they are idle (Node would otherwise keep serving new
 * requests on them until their keep-alive timeout).
 */
function stopAccepting(server: Server | undefined): void {
  if (!server?.listening) return;
  server.close();
  const idle = setInterval(() => server.closeIdleConnections(), 200);
  idle.unref();
  server.once('close', () => clearInterval(idle));
  server.closeIdleConnections();
}

/** Responses from now on close their connection: none lingers in keep-alive to delay the exit. */
function endKeepAlive(server: Server | undefined): void {
  server?.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  });
}

/**
 * On SIGTERM or SIGINT: stop accepting connections (unless `serveWhileClosing`), then close the
 * app (shutdown hooks run: realtime clients are told goodbye, running jobs finish or are handed
 * back to the queue, requests in flight complete, connections close), flush buffered trace spans
 * and exit with code 0. A second signal more than a second after the first, or a close taking
 * longer than `timeoutMs`, exits with code 1; sooner, it is the same one delivered twice (a
 * terminal's Ctrl-C reaches both `npm start`'s wrapper, which passes it on, and this process).
 * Nest's own enableShutdownHooks re-raises the signal instead, which loses the last log lines and
 * reports a kill rather than a clean exit.
 */
export function installGracefulShutdown(
  app: INestApplication,
  logger: LoggerService,
  timeoutMs = 30_000,
  options: {
    /**
     * Keep answering HTTP until the shutdown hooks have run: the worker, whose port serves only
     * health and metrics, stays observable (and alive to its liveness probe) while jobs drain.
     */
    serveWhileClosing?: boolean;
  } = {},
): void {
  let firstSignalAt: number | undefined;
  const shutdown = (signal: NodeJS.Signals) => {
    if (firstSignalAt !== undefined) {
      if (Date.now() - firstSignalAt < DUPLICATE_SIGNAL_MS) return;
      logger.warn(`Received ${signal} again: exiting now.`);
      process.exit(1);
    }
    firstSignalAt = Date.now();
    logger.log(`Received ${signal}: shutting down.`);
    const timer = setTimeout(() => {
      logger.error(`Shutdown took longer than ${timeoutMs} ms: exiting.`);
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    const server = app.getHttpServer() as Server | undefined;
    endKeepAlive(server);
    if (!options.serveWhileClosing) stopAccepting(server);
    app
      .close()
      // An unreachable collector costs the last spans, not a clean exit.
      .then(() => stopTracing().catch(() => undefined))
      .then(
        () => {
          logger.log('Shut down cleanly.');
          process.exit(0);
        },
        (err: unknown) => {
          logger.error(`Shutdown failed: ${String(err)}`);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
