/**
 * A `Response` over a body the transport has already read whole (a JSON answer).
 *
 * Making a real `Response` from bytes builds a web stream for the body, and reading it back
 * (`json()`) drains that stream again: measured at C=64 in a busy worker, about a tenth of a
 * call's CPU went there, for bytes already in memory. This class answers what the SDKs read —
 * status, headers, `json()`, `text()` — straight from the bytes, and makes the real Response only
 * if something asks for what only a real one has (the `body` stream, `formData()`); from then on
 * every read goes to it, so the two never disagree about whether the body was used.
 *
 * It passes `instanceof Response`: its prototype chain includes `Response.prototype`, and it
 * defines every member itself, so none of Response's own (brand-checked) accessors runs on it.
 */
export interface ResponseParts {
  status: number;
  statusText: string;
  headers: Headers;
  /** The final URL, after redirects. */
  url: string;
  redirected: boolean;
}

export class BufferedResponse {
  // Accessors over private fields, never own properties: assigning an own `status` would hit
  // Response.prototype's getter-only accessor.
  #init: ResponseParts;
  #bytes: Uint8Array;
  #used = false;
  #real: Response | undefined;

  constructor(bytes: Uint8Array, init: ResponseParts) {
    this.#bytes = bytes;
    this.#init = init;
  }

  get type(): 'basic' {
    return 'basic';
  }

  get status(): number {
    return this.#init.status;
  }

  get statusText(): string {
    return this.#init.statusText;
  }

  get headers(): Headers {
    return this.#init.headers;
  }

  get url(): string {
    return this.#init.url;
  }

  get redirected(): boolean {
    return this.#init.redirected;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  get bodyUsed(): boolean {
    return this.#real ? this.#real.bodyUsed : this.#used;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.#toReal().body;
  }

  json(): Promise<unknown> {
    return this.#real ? this.#real.json() : settle(() => JSON.parse(this.#text()) as unknown);
  }

  text(): Promise<string> {
    return this.#real ? this.#real.text() : settle(() => this.#text());
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    if (this.#real) return this.#real.arrayBuffer();
    return settle(() => {
      // A copy: the caller may change it, and a clone still reads the original.
      return new Uint8Array(this.#take()).buffer;
    });
  }

  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.arrayBuffer());
  }

  blob(): Promise<Blob> {
    if (this.#real) return this.#real.blob();
    return settle(() => new Blob([this.#take()], { type: this.headers.get('content-type') ?? '' }));
  }

  formData(): Promise<FormData> {
    return this.#toReal().formData();
  }

  clone(): Response {
    if (this.#real) return this.#real.clone();
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
    return new BufferedResponse(this.#bytes, {
      ...this.#init,
      headers: new Headers(this.#init.headers),
    });
  }

  /** The bytes, once: a second read fails as it does on a real Response. */
  #take(): Uint8Array {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.#bytes;
  }

  /** The body decoded as UTF-8, a leading byte-order mark dropped (as fetch decodes). */
  #text(): string {
    const bytes = this.#take();
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const bom =
      buffer.length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf;
    return buffer.toString('utf8', bom ? 3 : 0);
  }

  /** The real Response, made once, over the bytes if they were not read yet. */
  #toReal(): Response {
    if (!this.#real) {
      const real = new Response(this.#bytes, this.#init);
      if (this.#used) void real.arrayBuffer();
      this.#real = real;
    }
    return this.#real;
  }
}

Object.setPrototypeOf(BufferedResponse.prototype, Response.prototype);

/** What `fn` returns, as a promise; what it throws, as a rejection (as Response's reads fail). */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
