import type { INestApplication, LoggerService } from '@nestjs/common';

/**
 * Closes the app on SIGTERM or SIGINT (shutdown hooks run: connections close, in-flight work is
 * handed back) and exits with code 0. A second signal, or a close taking longer than
 * `timeoutMs`, exits with code 1. Nest's own enableShutdownHooks re-raises the signal instead,
 * which loses the last log lines and reports a kill rather than a clean exit.
 */
export function installGracefulShutdown(
  app: INestApplication,
  logger: LoggerService,
  timeoutMs = 30_000,
): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn(`Received ${signal} again: exiting now.`);
      process.exit(1);
    }
    closing = true;
    logger.log(`Received ${signal}: shutting down.`);
    const timer = setTimeout(() => {
      logger.error(`Shutdown took longer than ${timeoutMs} ms: exiting.`);
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    app.close().then(
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
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
