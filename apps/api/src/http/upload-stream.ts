import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream';
import busboy from 'busboy';
import type { NextFunction, Request, Response } from 'express';
import { PayloadTooLargeError, requestIdOf } from '@ps/common';
import { buildProblem, sendProblem } from './problem';

/** A file sent to a streaming upload route, read as the handler consumes it. */
export interface UploadStream {
  stream: Readable;
  filename?: string;
  contentType?: string;
  /** Form fields that came after the file part (too late to be read as options). */
  lateFields(): string[];
}

/** The upload stopped before its end: the connection dropped, or the multipart body was cut. */
export class UploadInterruptedError extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
    this.name = 'UploadInterruptedError';
  }
}

/**
 * An upload can fail while nobody reads it (between reading its head and parsing the rest, or
 * after the route answered): without a listener that 'error' would end the process. The reader
 * still gets the error, since reading a failed stream throws it.
 */
function quietUntilRead(stream: Readable): void {
  stream.on('error', () => undefined);
}

const UPLOAD = Symbol('upload');
type WithUpload = Request & { [UPLOAD]?: UploadStream };

/** The upload the middleware attached to this request, if any. */
export function uploadOf(req: Request): UploadStream | undefined {
  return (req as WithUpload)[UPLOAD];
}

/** Raw bodies a streaming route takes as the file itself (options then come in the query). */
export const RAW_UPLOAD_TYPES = [
  'text/csv',
  'application/csv',
  'application/x-ndjson',
  'application/jsonl',
  'application/x-jsonlines',
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/x-yaml',
  'text/plain',
  'application/octet-stream',
];

/** Multipart framing around a file (boundaries, part headers, small option fields). */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

function tooLarge(limitBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `The upload exceeds the limit of ${limitBytes} bytes (IMPORT_MAX_BYTES).`,
    limitBytes,
  );
}

/** Passes bytes through and fails the stream once more than `limitBytes` went by. */
class ByteLimit extends Transform {
  private seen = 0;
  constructor(private readonly limitBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limitBytes) done(tooLarge(this.limitBytes));
    else done(null, chunk);
  }
}

/**
 * Streams uploads to the routes in `paths` instead of buffering them: a multipart request's form
 * fields before the file become `req.body` and the file part is handed on as a stream; a raw body
 * of a file type is the file, with the query parameters as `req.body`. JSON requests go on to the
 * JSON body parser. Bodies past `limitBytes` answer 413, up front when Content-Length says so,
 * else as soon as the limit is crossed. When the response ends before the file was read (a 401,
 * a 400), the rest of the upload is drained so the client gets the answer.
 */
export function streamUploads(paths: string[], limitBytes: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'POST' || !paths.includes(req.path) || req.is('application/json')) {
      next();
      return;
    }
    const multipart = Boolean(req.is('multipart/form-data'));
    const raw = !multipart && Boolean(req.is(RAW_UPLOAD_TYPES));
    if (!multipart && !raw) {
      next();
      return;
    }
    const problem = (err: PayloadTooLargeError | string) => {
      const instance = req.originalUrl.split('?')[0];
      const requestId = requestIdOf(req);
      sendProblem(
        res,
        typeof err === 'string'
          ? buildProblem('validation_failed', err, {
              instance,
              requestId,
              errors: [{ field: 'file', message: err }],
            })
          : buildProblem('payload_too_large', err.message, {
              instance,
              requestId,
              extra: err.extra,
            }),
      );
      req.resume();
    };
    const declared = Number(req.headers['content-length']);
    const allowed = multipart ? limitBytes + MULTIPART_OVERHEAD_BYTES : limitBytes;
    if (Number.isFinite(declared) && declared > allowed) {
      problem(tooLarge(limitBytes));
      return;
    }
    const drainAfterResponse = (stream: Readable) =>
      res.on('finish', () => {
        if (!stream.readableEnded && !stream.destroyed) stream.resume();
      });

    if (raw) {
      const stream = req.pipe(new ByteLimit(limitBytes));
      req.on('error', (err) => stream.destroy(new UploadInterruptedError(err)));
      quietUntilRead(stream);
      (req as WithUpload)[UPLOAD] = {
        stream,
        contentType: req.headers['content-type'],
        lateFields: () => [],
      };
      req.body = { ...(req.query as Record<string, unknown>) };
      drainAfterResponse(stream);
      next();
      return;
    }

    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { files: 1, fields: 20, fieldSize: 64 * 1024, fileSize: limitBytes },
      });
    } catch (err) {
      problem(`The multipart body cannot be read: ${(err as Error).message}`);
      return;
    }
    const fields: Record<string, string> = {};
    const late: string[] = [];
    let handed = false;
    let file: Readable | undefined;
    parser.on('field', (name, value) => {
      if (handed) late.push(name);
      else fields[name] = value;
    });
    parser.on('file', (_name, stream, info) => {
      if (handed) {
        stream.resume();
        return;
      }
      handed = true;
      stream.on('limit', () => stream.destroy(tooLarge(limitBytes)));
      // busboy fails a part cut short with its own error ("Unexpected end of file"); what the
      // route reads says what happened instead.
      const out = new PassThrough();
      file = out;
      stream.on('error', (err) =>
        out.destroy(err instanceof PayloadTooLargeError ? err : new UploadInterruptedError(err)),
      );
      stream.pipe(out);
      quietUntilRead(out);
      (req as WithUpload)[UPLOAD] = {
        stream: out,
        filename: info.filename,
        contentType: info.mimeType,
        lateFields: () => [...late],
      };
      req.body = { ...fields };
      drainAfterResponse(out);
      next();
    });
    parser.on('close', () => {
      if (handed) return;
      handed = true;
      req.body = { ...fields };
      next();
    });
    parser.on('error', (err: Error) => {
      if (!handed) {
        handed = true;
        problem(`The multipart body cannot be read: ${err.message}`);
      } else {
        file?.destroy(new UploadInterruptedError(err));
      }
    });
    req.on('error', (err) => file?.destroy(new UploadInterruptedError(err)));
    req.pipe(parser);
  };
}
