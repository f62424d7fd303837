import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { BufferedResponse } from './buffered-response';

/**
 * `fetch` for the vendor SDKs, over node:http with keep-alive agents.
 *
 * Node's built-in fetch spends most of its CPU in its WHATWG request pipeline, not on the wire:
 * measured on our 2-core machine, about 0.3–0.6 ms per small JSON call against 0.1 ms for the
 * same call through node:http. At evaluation concurrency that was the largest single cost of a
 * worker (more than scoring, storage and the queue together). This function keeps what the SDKs
 * rely on — a `Response` (status, headers, a streaming body for server-sent events, a JSON body
 * read whole first and answered from memory by a BufferedResponse),
 * `AbortSignal` cancellation rejecting with the signal's reason, network failures as
 * `TypeError('fetch failed', { cause })`, redirects followed, gzip/deflate/br decoded — and hands
 * anything it does not handle cheaply (a `Request` object, a streaming or multipart body, a
 * non-HTTP URL, a redirect mode other than `follow`) to the built-in fetch.
 */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface HttpFetchOptions {
  /** Open connections per origin (the agents keep them alive between calls). */
  maxSockets?: number;
  /**
   * How long an idle kept-alive connection stays in the pool, in ms. Below the 5 s idle timeout
   * common on servers, so we close first instead of reusing a socket the server is closing.
   * (The agent applies it to free sockets only; a slow answer in progress is never cut.)
   */
  keepAliveMs?: number;
  /** What the fallback uses; the built-in fetch by default. */
  fallback?: FetchLike;
  /**
   * Decoded bytes of a JSON body read before the Response is made (32 MiB); a larger body is
   * handed on as a stream from where reading stopped.
   */
  jsonBufferLimit?: number;
}

const MAX_REDIRECTS = 20;
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

type SimpleBody = string | Uint8Array | undefined;

/** The body as bytes or text, or `null` when it needs the built-in fetch. */
function simpleBody(body: RequestInit['body']): SimpleBody | null {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body))
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof URLSearchParams) return body.toString();
  return null;
}

/** What fetch rejects with on abort: the signal's reason (an AbortError DOMException by default). */
function abortReason(signal: AbortSignal): Error {
  return (
    (signal.reason as Error | undefined) ??
    new DOMException('This operation was aborted', 'AbortError')
  );
}

function headerRecord(init: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  // A Headers object (what the SDKs pass) is already validated and normalised: read it as it is.
  (init instanceof Headers ? init : new Headers(init)).forEach(
    (value, name) => (out[name] = value),
  );
  return out;
}

function responseHeaders(res: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i], raw[i + 1]);
    } catch {
      // A header the WHATWG rules refuse is dropped, as the built-in fetch drops it.
    }
  }
  return headers;
}

/** The decoded body stream (fetch decodes a single gzip, deflate or br coding). */
function decoded(res: IncomingMessage): Readable {
  const coding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoder =
    coding === 'gzip' || coding === 'x-gzip'
      ? createGunzip()
      : coding === 'deflate'
        ? createInflate()
        : coding === 'br'
          ? createBrotliDecompress()
          : undefined;
  if (!decoder) return res;
  res.on('error', (err) => decoder.destroy(err));
  return res.pipe(decoder);
}

/** JSON bodies (`application/json`, `application/problem+json`...) arrive whole before use. */
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/**
 * The body for the Response. A JSON body, which an SDK only ever reads whole, is read here into
 * one buffer: a Response over bytes costs a fraction of one over a Node stream adapted to a web
 * stream, which was a large share of a call's CPU. Anything else (server-sent events, NDJSON
 * streams, files) stays a stream, read as it arrives. A failure while reading fails the fetch as
 * a network failure would; an abort rejects with the signal's reason.
 */
function responseBody(
  res: IncomingMessage,
  signal: AbortSignal | undefined,
  limit: number,
): Promise<Uint8Array | ReadableStream<Uint8Array>> {
  const body = decoded(res);
  if (!JSON_TYPE.test(res.headers['content-type'] ?? '')) {
    return Promise.resolve(Readable.toWeb(body) as ReadableStream<Uint8Array>);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size <= limit) return;
      // Too large to hold: the rest streams, after what was read, in order.
      done();
      body.pause();
      for (let i = chunks.length - 1; i >= 0; i--) body.unshift(chunks[i]);
      resolve(Readable.toWeb(body) as ReadableStream<Uint8Array>);
    };
    const onEnd = () => {
      done();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      done();
      if (signal?.aborted) reject(abortReason(signal));
      else reject(new TypeError('fetch failed', { cause: err }));
    };
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
  });
}

export function createHttpFetch(options: HttpFetchOptions = {}): FetchLike {
  const agentOptions = {
    keepAlive: true,
    keepAliveMsecs: 1000,
    maxSockets: options.maxSockets ?? 256,
    timeout: options.keepAliveMs ?? 4_000,
  };
  const agents = { 'http:': new HttpAgent(agentOptions), 'https:': new HttpsAgent(agentOptions) };
  const fallback: FetchLike = options.fallback ?? ((input, init) => fetch(input, init));
  const jsonBufferLimit = options.jsonBufferLimit ?? 32 * 1024 * 1024;

  function send(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: SimpleBody,
    signal: AbortSignal | undefined,
  ): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = request(url, {
        method,
        headers,
        agent: agents[url.protocol as 'http:' | 'https:'],
      });
      const onAbort = () => {
        const reason = abortReason(signal!);
        req.destroy(reason);
        reject(reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.once('response', (res) => {
        signal?.removeEventListener('abort', onAbort);
        if (signal) {
          // Aborting while the body is read fails the read with the signal's reason.
          const onBodyAbort = () => res.destroy(abortReason(signal));
          signal.addEventListener('abort', onBodyAbort, { once: true });
          res.once('close', () => signal.removeEventListener('abort', onBodyAbort));
        }
        resolve(res);
      });
      req.once('error', (err) => {
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) reject(abortReason(signal));
        else reject(new TypeError('fetch failed', { cause: err }));
      });
      req.end(body);
    });
  }

  return async function httpFetch(input, init = {}) {
    if (input instanceof Request) return fallback(input, init);
    const body = simpleBody(init.body);
    let url = new URL(String(input));
    if (
      body === null ||
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      (init.redirect !== undefined && init.redirect !== 'follow')
    )
      return fallback(input, init);
    const signal = init.signal ?? undefined;
    if (signal?.aborted) throw abortReason(signal);

    let method = (init.method ?? 'GET').toUpperCase();
    const headers = headerRecord(init.headers);
    headers['accept-encoding'] ??= 'gzip, deflate, br';
    let payload = body;
    if (payload !== undefined)
      headers['content-length'] = String(
        typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength,
      );

    for (let redirects = 0; ; redirects++) {
      const res = await send(url, method, headers, payload, signal);
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 599) {
        res.destroy();
        throw new TypeError('fetch failed', { cause: new Error(`HTTP status ${status}`) });
      }
      const location = res.headers.location;
      if (REDIRECT_STATUSES.has(status) && location) {
        res.resume();
        if (redirects >= MAX_REDIRECTS)
          throw new TypeError('fetch failed', { cause: new Error('too many redirects') });
        const next = new URL(location, url);
        if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
          method = method === 'HEAD' ? 'HEAD' : 'GET';
          payload = undefined;
          delete headers['content-length'];
          delete headers['content-type'];
        }
        // Credentials do not follow a redirect to another origin.
        if (next.origin !== url.origin) {
          delete headers.authorization;
          delete headers.cookie;
        }
        url = next;
        continue;
      }
      const nullBody = method === 'HEAD' || NULL_BODY_STATUSES.has(status);
      if (nullBody) res.resume();
      const content = nullBody ? null : await responseBody(res, signal, jsonBufferLimit);
      const parts = {
        status,
        statusText: res.statusMessage ?? '',
        headers: responseHeaders(res),
        url: url.href,
        redirected: redirects > 0,
      };
      if (content instanceof Uint8Array) return new BufferedResponse(content, parts);
      return new Response(content, parts);
    }
  };
}

/** The process-wide instance the provider clients share (one connection pool per origin). */
export const httpFetch: FetchLike = createHttpFetch();
