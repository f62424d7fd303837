import { BufferedResponse, type ResponseParts } from './buffered-response';

const JSON_BODY = '\ufeff{"answer":"é","n":1}';
const parts = (type = 'application/json'): ResponseParts => ({
  status: 201,
  statusText: 'Created',
  headers: new Headers({ 'content-type': type, 'x-request-id': 'r1' }),
  url: 'http://example.test/v1/chat',
  redirected: true,
});

/** The same answer as a real Response and as ours, to hold them side by side. */
function pair(text = JSON_BODY, type?: string): [Response, Response] {
  const bytes = () => new TextEncoder().encode(text);
  return [new Response(bytes(), parts(type)), new BufferedResponse(bytes(), parts(type))];
}

/** What a call resolves to, or the class and message it rejects with. */
async function outcome(fn: () => unknown): Promise<unknown> {
  try {
    const value = await fn();
    if (value instanceof ArrayBuffer || value instanceof Uint8Array)
      return [...new Uint8Array(value)];
    if (value instanceof Blob) return { type: value.type, text: await value.text() };
    return value;
  } catch (err) {
    return { threw: (err as Error).constructor.name };
  }
}

describe('BufferedResponse (a Response over bytes already read)', () => {
  it('passes for a Response and answers status, headers, url and redirect', () => {
    const [, ours] = pair();
    expect(ours).toBeInstanceOf(Response);
    expect(ours).toMatchObject({
      status: 201,
      ok: true,
      statusText: 'Created',
      type: 'basic',
      url: 'http://example.test/v1/chat',
      redirected: true,
      bodyUsed: false,
    });
    expect(ours.headers.get('x-request-id')).toBe('r1');
    expect(Object.prototype.toString.call(ours)).toBe('[object Response]');
    expect(new BufferedResponse(new Uint8Array(), { ...parts(), status: 404 }).ok).toBe(false);
  });

  it.each([
    ['json', (r: Response) => r.json()],
    ['text', (r: Response) => r.text()],
    ['arrayBuffer', (r: Response) => r.arrayBuffer()],
    ['bytes', (r: Response) => (r as Response & { bytes(): Promise<Uint8Array> }).bytes()],
    ['blob', (r: Response) => r.blob()],
  ])('reads with %s as a real Response does, once', async (_name, read) => {
    const [real, ours] = pair();
    expect(await outcome(() => read(ours))).toEqual(await outcome(() => read(real)));
    expect(ours.bodyUsed).toBe(real.bodyUsed);
    expect(ours.bodyUsed).toBe(true);
    // A second read of either kind fails the same way.
    for (const again of [(r: Response) => r.text(), (r: Response) => r.json()]) {
      expect(await outcome(() => again(ours))).toEqual(await outcome(() => again(real)));
    }
    expect(await outcome(() => ours.clone())).toEqual(await outcome(() => real.clone()));
  });

  it('rejects invalid JSON with the SyntaxError a real Response gives', async () => {
    const [real, ours] = pair('{"cut":');
    const theirs = await outcome(() => real.json());
    expect(theirs).toEqual({ threw: 'SyntaxError' });
    expect(await outcome(() => ours.json())).toEqual(theirs);
  });

  it('clones before a read: each copy reads the body on its own', async () => {
    const [, ours] = pair();
    const copy = ours.clone();
    expect(copy).toBeInstanceOf(Response);
    expect(await ours.json()).toEqual({ answer: 'é', n: 1 });
    expect(copy.bodyUsed).toBe(false);
    expect(await copy.text()).toBe('{"answer":"é","n":1}');
    expect(copy.headers.get('x-request-id')).toBe('r1');
  });

  it('gives arrayBuffer and bytes as copies the caller may change', async () => {
    const bytes = new TextEncoder().encode('abc');
    const ours = new BufferedResponse(bytes, parts('text/plain')) as unknown as Response;
    const copy = ours.clone();
    new Uint8Array(await ours.arrayBuffer())[0] = 0x7a;
    expect(await copy.text()).toBe('abc');
    expect(bytes[0]).toBe(0x61);
  });

  it('hands the body as a stream when asked, and stays consistent with it', async () => {
    const [, ours] = pair();
    const reader = ours.body!.getReader();
    let text = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      text += Buffer.from(chunk.value).toString('utf8');
    expect(text).toBe(JSON_BODY);
    expect(ours.bodyUsed).toBe(true);
    expect(await outcome(() => ours.text())).toEqual({ threw: 'TypeError' });
  });

  it('answers a used body stream after a read, as a real Response does', async () => {
    const [real, ours] = pair();
    await real.text();
    await ours.text();
    expect(ours.body).not.toBeNull();
    expect(ours.bodyUsed).toBe(real.bodyUsed);
    expect(await outcome(() => ours.body!.getReader().read())).toEqual(
      await outcome(() => real.body!.getReader().read()),
    );
  });

  it('parses form data through a real Response', async () => {
    const [real, ours] = pair('a=1&b=x+y', 'application/x-www-form-urlencoded');
    const form = await ours.formData();
    expect([...form.entries()]).toEqual([...(await real.formData()).entries()]);
    expect(ours.bodyUsed).toBe(true);
  });
});
