/** What a test sees of one HTTP answer. */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  body: any;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is instead of JSON.stringify(body). */
  raw?: string | ReadableStream<Uint8Array>;
  headers?: Record<string, string>;
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A client of the real HTTP server, holding one workspace's key (or none). */
export class Client {
  constructor(
    readonly base: string,
    readonly key?: string,
  ) {}

  withKey(key: string | undefined): Client {
    return new Client(this.base, key);
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.key !== undefined) headers['cc-key'] = this.key;
    let payload: RequestInit['body'];
    if (options.raw !== undefined) payload = options.raw;
    else if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const init: RequestInit & { duplex?: 'half' } = { method, headers, body: payload };
    if (payload instanceof ReadableStream) init.duplex = 'half';
    const response = await fetch(`${this.base}${path}`, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: parsed(text) };
  }

  get(path: string, headers?: Record<string, string>): Promise<Reply> {
    return this.request('GET', path, { headers });
  }

  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Reply> {
    return this.request('POST', path, { body, headers });
  }

  /** GET /runs with query pairs, in order, repeats kept. */
  runs(pairs: Array<[string, string]> | Record<string, string> = []): Promise<Reply> {
    const query = new URLSearchParams(pairs).toString();
    return this.get(query === '' ? '/runs' : `/runs?${query}`);
  }
}
