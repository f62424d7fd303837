import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonObject } from './types';
import { BadRequest } from './types';

/** HTTP framing (JSON, SSE, NDJSON) and defensive JSON reading shared by the protocol modules. */

const MAX_BODY_BYTES = 32 * 1024 * 1024;

export class BodyTooLarge extends Error {}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    // A client hanging up mid-body may end with 'close' alone; never leave the promise pending.
    req.on('close', () => {
      if (!req.complete) reject(new Error('request aborted'));
    });
  });
}

/** An empty body counts as `{}` so GET-like POSTs and probes do not need a payload. */
export function parseJsonObject(raw: Buffer): JsonObject {
  const text = raw.toString('utf8').trim();
  if (text === '') return {};
  const value: unknown = JSON.parse(text);
  if (!isRecord(value)) throw new BadRequest('request body must be a JSON object');
  return value;
}

/** True once the client went away: writing would only raise EPIPE noise. */
export function gone(res: ServerResponse): boolean {
  return res.destroyed || res.writableEnded || res.socket?.destroyed === true;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (gone(res)) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  if (gone(res)) return;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Server-sent events: one `data:` line per JSON event, optionally named with `event:`. */
export class SseWriter {
  constructor(private readonly res: ServerResponse) {
    if (gone(res)) return;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
  }

  event(data: unknown, name?: string): this {
    const head = name === undefined ? '' : `event: ${name}\n`;
    this.raw(`${head}data: ${JSON.stringify(data)}\n\n`);
    return this;
  }

  /** OpenAI and Mistral end their streams with a literal `data: [DONE]`. */
  done(): this {
    this.raw('data: [DONE]\n\n');
    return this;
  }

  end(): void {
    if (!gone(this.res)) this.res.end();
  }

  private raw(text: string): void {
    if (!gone(this.res)) this.res.write(text);
  }
}

/** Newline-delimited JSON, as Ollama and Cohere's v1 chat stream use. */
export class NdjsonWriter {
  constructor(
    private readonly res: ServerResponse,
    contentType: string,
  ) {
    if (gone(res)) return;
    res.writeHead(200, { 'content-type': contentType });
  }

  line(data: unknown): this {
    if (!gone(this.res)) this.res.write(`${JSON.stringify(data)}\n`);
    return this;
  }

  end(): void {
    if (!gone(this.res)) this.res.end();
  }
}

/* ------------------------------ JSON reading ------------------------------ */

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asPositiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** The array under `key`, or a BadRequest naming the field the vendor would reject. */
export function requireArray(body: JsonObject, key: string): unknown[] {
  const value = body[key];
  if (!Array.isArray(value)) throw new BadRequest(`'${key}' must be an array`);
  return value;
}

export function requireString(body: JsonObject, key: string): string {
  const value = body[key];
  if (typeof value !== 'string') throw new BadRequest(`'${key}' must be a string`);
  return value;
}

/**
 * Plain text of a message content in any vendor's shape: a string, or a list of parts such as
 * `{type:'text', text}`, Gemini's `{text}` or Anthropic's `{type:'tool_result', content}`.
 * Parts are concatenated without a separator, as the SDKs do when they read text back.
 */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map(textOf).join('');
  if (!isRecord(content)) return '';
  if (typeof content.text === 'string') return content.text;
  if (content.content !== undefined) return textOf(content.content);
  return '';
}

/** The body minus the fields a protocol module normalises itself, undefined values dropped. */
export function paramsFrom(
  source: JsonObject,
  normalisedKeys: readonly string[],
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(source).filter(([key, v]) => v !== undefined && !normalisedKeys.includes(key)),
  );
}

/** Seconds to wait, from a Retry-After header given as seconds (HTTP dates are not converted). */
export function retryAfterSeconds(headers: Record<string, string> | undefined): number | undefined {
  const entry = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'retry-after');
  const seconds = entry === undefined ? NaN : Number(entry[1]);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
