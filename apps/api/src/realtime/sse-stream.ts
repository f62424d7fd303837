import type { Request, Response } from 'express';

/** A client this far behind on reading is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * One Server-Sent Events response: headers that keep proxies from buffering or compressing it,
 * numbered `event:`/`data:` frames, and a comment every `heartbeatMs` so idle connections stay
 * open. `onClose` runs once, however the stream ends.
 */
export class SseStream {
  private nextId = 1;
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;

  constructor(
    req: Request,
    private readonly res: Response,
    heartbeatMs: number,
    onClose: () => void,
  ) {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    // no-transform: a compressing proxy or middleware would hold events back.
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    req.socket.setTimeout(0);
    req.socket.setNoDelay(true);
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), heartbeatMs);
    this.heartbeat.unref();
    res.on('close', () => {
      if (this.closed) return;
      this.closed = true;
      clearInterval(this.heartbeat);
      onClose();
    });
  }

  /** One event; `data` is sent as JSON on a single line. */
  send(event: string, data: unknown): void {
    this.write(`id: ${this.nextId++}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  close(): void {
    this.res.end();
  }

  private write(chunk: string): void {
    if (this.closed || this.res.writableEnded) return;
    if (this.res.writableLength > MAX_BUFFERED_BYTES) {
      this.res.destroy();
      return;
    }
    this.res.write(chunk);
  }
}
