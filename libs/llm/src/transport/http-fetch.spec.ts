import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { createHttpFetch, type FetchLike } from './http-fetch';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('httpFetch (node:http transport for the vendor SDKs)', () => {
  let server: Server;
  let base: string;
  let other: Server;
  let otherBase: string;
  const seen: {
    method?: string;
    url?: string;
    headers: IncomingMessage['headers'];
    body: string;
  }[] = [];
  const httpFetch = createHttpFetch();

  beforeAll(async () => {
    ({ server: other, url: otherBase } = await serve((req, body, res) => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.end('other');
    }));
    ({ server, url: base } = await serve((req, body, res) => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      const path = req.url ?? '/';
      if (path === '/json') {
        res.setHeader('content-type', 'application/json');
        res.setHeader('x-request-id', 'req-1');
        res.setHeader('set-cookie', ['a=1', 'b=2']);
        res.end(JSON.stringify({ echo: body, method: req.method }));
      } else if (path === '/gzip') {
        res.setHeader('content-encoding', 'gzip');
        res.end(gzipSync('zipped text'));
      } else if (path === '/br') {
        res.setHeader('content-encoding', 'br');
        res.end(brotliCompressSync('brotli text'));
      } else if (path === '/status/429') {
        res.statusCode = 429;
        res.setHeader('retry-after', '3');
        res.end('{"error":"slow down"}');
      } else if (path === '/status/204') {
        res.statusCode = 204;
        res.end();
      } else if (path === '/redirect/307') {
        res.statusCode = 307;
        res.setHeader('location', '/json');
        res.end();
      } else if (path === '/redirect/303') {
        res.statusCode = 303;
        res.setHeader('location', '/json');
        res.end();
      } else if (path === '/redirect/other') {
        res.statusCode = 302;
        res.setHeader('location', `${otherBase}/landing`);
        res.end();
      } else if (path === '/redirect/loop') {
        res.statusCode = 302;
        res.setHeader('location', '/redirect/loop');
        res.end();
      } else if (path === '/sse') {
        res.setHeader('content-type', 'text/event-stream');
        res.write('data: one\n\n');
        setTimeout(() => res.end('data: two\n\n'), 150);
      } else if (path === '/slow-answer') {
        setTimeout(() => res.end('worth the wait'), 400);
      } else if (path === '/slow-headers') {
        setTimeout(() => res.end('late'), 5_000).unref();
      } else if (path === '/json-gzip') {
        res.setHeader('content-type', 'application/problem+json; charset=utf-8');
        res.setHeader('content-encoding', 'gzip');
        res.end(gzipSync(JSON.stringify({ zipped: 'x'.repeat(5000) })));
      } else if (path === '/json-large') {
        res.setHeader('content-type', 'application/json');
        res.write(`{"part":"${'a'.repeat(3000)}`);
        setTimeout(() => res.end(`${'b'.repeat(3000)}"}`), 20);
      } else if (path === '/json-slow-body') {
        res.setHeader('content-type', 'application/json');
        res.write('{"first":');
        setTimeout(() => res.end('1}'), 5_000).unref();
      } else if (path === '/json-cut') {
        res.setHeader('content-type', 'application/json');
        res.setHeader('content-length', '100');
        res.write('{"cut":');
        setTimeout(() => res.destroy(), 20);
      } else if (path === '/slow-body') {
        res.write('first');
        setTimeout(() => res.end('rest'), 5_000).unref();
      } else {
        res.statusCode = 404;
        res.end();
      }
    }));
  });

  afterAll(async () => {
    server.closeAllConnections();
    other.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await new Promise((resolve) => other.close(resolve));
  });

  beforeEach(() => (seen.length = 0));

  it('sends method, headers and body, and answers a real Response with every header', async () => {
    const res = await httpFetch(`${base}/json`, {
      method: 'post',
      headers: new Headers({ 'content-type': 'application/json', authorization: 'Bearer k' }),
      body: '{"q":"é"}',
    });
    expect(res).toBeInstanceOf(Response);
    expect(res.ok).toBe(true);
    expect(res.headers.get('x-request-id')).toBe('req-1');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ echo: '{"q":"é"}', method: 'POST' });
    expect(seen[0].headers.authorization).toBe('Bearer k');
    expect(seen[0].headers['content-length']).toBe(String(Buffer.byteLength('{"q":"é"}')));
    expect(seen[0].headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('takes headers as a record or pairs and bodies as bytes or URLSearchParams', async () => {
    await httpFetch(`${base}/json`, {
      method: 'POST',
      headers: [['x-one', '1']],
      body: new TextEncoder().encode('bytes'),
    });
    await httpFetch(`${base}/json`, {
      method: 'POST',
      headers: { 'x-two': '2' },
      body: new URLSearchParams({ a: 'b' }),
    });
    expect(seen.map((s) => s.body)).toEqual(['bytes', 'a=b']);
    expect(seen[0].headers['x-one']).toBe('1');
    expect(seen[1].headers['x-two']).toBe('2');
  });

  it('decodes gzip and br bodies', async () => {
    expect(await (await httpFetch(`${base}/gzip`)).text()).toBe('zipped text');
    expect(await (await httpFetch(`${base}/br`)).text()).toBe('brotli text');
  });

  it('passes error statuses through with their headers (the SDKs classify them)', async () => {
    const res = await httpFetch(`${base}/status/429`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.text()).toBe('{"error":"slow down"}');
  });

  it('answers a null body for 204 and HEAD', async () => {
    const noContent = await httpFetch(`${base}/status/204`);
    expect(noContent.status).toBe(204);
    expect(noContent.body).toBeNull();
    const head = await httpFetch(`${base}/json`, { method: 'HEAD' });
    expect(head.body).toBeNull();
  });

  it('follows redirects as fetch does: 307 keeps the body, 303 becomes a GET', async () => {
    const kept = await httpFetch(`${base}/redirect/307`, { method: 'POST', body: 'again' });
    expect(await kept.json()).toEqual({ echo: 'again', method: 'POST' });
    const changed = await httpFetch(`${base}/redirect/303`, { method: 'POST', body: 'dropped' });
    expect(await changed.json()).toEqual({ echo: '', method: 'GET' });
  });

  it('does not carry credentials to another origin', async () => {
    const res = await httpFetch(`${base}/redirect/other`, {
      headers: { authorization: 'Bearer secret', 'x-keep': 'yes' },
    });
    expect(await res.text()).toBe('other');
    const landing = seen.find((s) => s.url === '/landing')!;
    expect(landing.headers.authorization).toBeUndefined();
    expect(landing.headers['x-keep']).toBe('yes');
  });

  it('gives up on a redirect loop with a network error', async () => {
    await expect(httpFetch(`${base}/redirect/loop`)).rejects.toThrow(TypeError);
  });

  it('streams the body as it arrives (server-sent events)', async () => {
    const res = await httpFetch(`${base}/sse`);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: one\n\n');
    const rest: string[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read())
      rest.push(new TextDecoder().decode(r.value));
    expect(rest.join('')).toBe('data: two\n\n');
  });

  it('rejects with the signal reason when aborted before, during the wait and while reading', async () => {
    const done = new AbortController();
    done.abort();
    await expect(httpFetch(`${base}/json`, { signal: done.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });

    const waiting = new AbortController();
    const pending = httpFetch(`${base}/slow-headers`, { signal: waiting.signal });
    setTimeout(() => waiting.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });

    const reading = new AbortController();
    const res = await httpFetch(`${base}/slow-body`, { signal: reading.signal });
    setTimeout(() => reading.abort(new DOMException('gave up', 'TimeoutError')), 50);
    await expect(res.text()).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('reads a JSON body whole, decoded, and streams one past the buffer limit in order', async () => {
    const zipped = await httpFetch(`${base}/json-gzip`);
    expect(zipped.headers.get('content-type')).toContain('problem+json');
    expect(await zipped.json()).toEqual({ zipped: 'x'.repeat(5000) });

    const small = createHttpFetch({ jsonBufferLimit: 1000 });
    const large = await small(`${base}/json-large`);
    expect(await large.json()).toEqual({ part: 'a'.repeat(3000) + 'b'.repeat(3000) });
  });

  it('fails the fetch itself when a JSON body is cut or aborted while it is read', async () => {
    const cut = (await httpFetch(`${base}/json-cut`).catch((e: unknown) => e)) as TypeError;
    expect(cut).toBeInstanceOf(TypeError);
    expect(cut.message).toBe('fetch failed');

    const reading = new AbortController();
    const pending = httpFetch(`${base}/json-slow-body`, { signal: reading.signal });
    setTimeout(() => reading.abort(new DOMException('gave up', 'TimeoutError')), 50);
    await expect(pending).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('reports a refused connection as fetch does: TypeError "fetch failed" with the cause', async () => {
    const closed = await serve(() => undefined);
    await new Promise((resolve) => closed.server.close(resolve));
    const err = (await httpFetch(`${closed.url}/json`).catch((e: unknown) => e)) as TypeError & {
      cause?: { code?: string };
    };
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toBe('fetch failed');
    expect(err.cause?.code).toBe('ECONNREFUSED');
  });

  it('hands what it does not handle cheaply to the fallback', async () => {
    const calls: string[] = [];
    const fallback: FetchLike = (input) => {
      calls.push(input instanceof Request ? `request ${input.url}` : String(input));
      return Promise.resolve(new Response('from fallback'));
    };
    const withFallback = createHttpFetch({ fallback });
    const form = new FormData();
    form.set('file', new Blob(['x']), 'x.txt');
    await withFallback(`${base}/json`, { method: 'POST', body: form });
    await withFallback(new Request(`${base}/json`));
    await withFallback(`${base}/json`, { redirect: 'manual' });
    await withFallback('data:text/plain,hi');
    expect(calls).toEqual([
      `${base}/json`,
      `request ${base}/json`,
      `${base}/json`,
      'data:text/plain,hi',
    ]);
    expect(seen).toHaveLength(0);
  });

  it('reuses kept-alive connections between calls', async () => {
    const ports = new Set<number>();
    const { server: counting, url } = await serve((req, _body, res) => {
      ports.add(req.socket.remotePort!);
      res.end('ok');
    });
    try {
      for (let i = 0; i < 5; i++) await (await httpFetch(`${url}/`)).text();
      expect(ports.size).toBe(1);
    } finally {
      counting.closeAllConnections();
      await new Promise((resolve) => counting.close(resolve));
    }
  });

  it('closes idle pooled connections but never cuts an answer in progress', async () => {
    const quick = createHttpFetch({ keepAliveMs: 100 });
    expect(await (await quick(`${base}/slow-answer`)).text()).toBe('worth the wait');
  });
});
