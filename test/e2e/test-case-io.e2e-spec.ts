import type { Response } from 'supertest';
import { BASE, startTestApp, type TestApp } from '../support/test-app';

/** A JSON response body, as supertest types it. */
type Json = Response['body'];

interface Report {
  format: string;
  rows: number;
  imported: number;
  imported_ids: number[];
  skipped: number;
  renamed: number;
  rejected: number;
  errors: { row: number; line: number; field?: string; message: string }[];
  skipped_rows: { row: number; line: number; message: string }[];
  renames: { row: number; from: string; to: string }[];
  warnings: { row: number; line: number; message: string }[];
  suggested_metrics: { metric: string; options?: Record<string, unknown>; rows: number }[];
  dry_run: boolean;
  truncated: boolean;
}

/** The original product's CSV convention, as its documentation's support example uses it. */
const SUPPORT_CSV = [
  'name,description,input.customer_query,input.product_info,expected.response,tags,is_golden',
  'Refund request,Customer wants money back,"I want a refund for my order #123","Widget Pro, 30-day returns","We will process your refund within 5 days.","refund,billing",yes',
  'Shipping delay,,"Where is my package?","Widget Pro ships in 2 days","Your package ships within 2 days.",shipping,no',
].join('\n');

describe('test case import, export and templates', () => {
  let t: TestApp;
  let counter = 0;
  let serverErrors: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  beforeEach(() => {
    serverErrors = [];
  });

  afterEach(() => {
    expect(serverErrors).toEqual([]);
  });

  const unique = (prefix: string) => `${prefix} ${process.pid}-${Date.now()}-${++counter}`;

  function checked(res: Response): Response {
    if (res.status >= 500) serverErrors.push(`${res.status} ${res.text.slice(0, 500)}`);
    return res;
  }

  function expectStatus(res: Response, status: number): void {
    if (res.status !== status) {
      throw new Error(`expected HTTP ${status}, got ${res.status}: ${res.text.slice(0, 2000)}`);
    }
  }

  function expectProblem(res: Response, status: number, fields: string[] = []): Json {
    expectStatus(res, status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = JSON.parse(res.text) as { errors?: { field: string }[] };
    if (fields.length) expect((body.errors ?? []).map((e) => e.field)).toEqual(fields);
    return body;
  }

  const post = async (path: string, body: unknown) =>
    checked(
      await t
        .http()
        .post(`${BASE}${path}`)
        .send(body as object),
    );
  const get = async (path: string) => checked(await t.http().get(`${BASE}${path}`));

  async function project(): Promise<number> {
    const res = await post('/projects/create', { name: unique('io') });
    expectStatus(res, 201);
    return res.body.id as number;
  }

  async function signature(projectId: number): Promise<number> {
    const res = await post('/signatures/create', {
      project_id: projectId,
      name: unique('qa'),
      input_schema: [
        { name: 'question', type: 'string', required: true },
        { name: 'max_words', type: 'integer', required: false },
      ],
      output_schema: [{ name: 'answer', type: 'string' }],
    });
    expectStatus(res, 201);
    return res.body.id as number;
  }

  async function upload(
    fields: Record<string, string | number | boolean>,
    file: string,
    filename = 'cases.csv',
  ): Promise<Response> {
    let req = t.http().post(`${BASE}/test-cases/import`);
    for (const [key, value] of Object.entries(fields)) req = req.field(key, String(value));
    return checked(await req.attach('file', Buffer.from(file, 'utf8'), filename));
  }

  async function cases(projectId: number): Promise<Json[]> {
    const all: Json[] = [];
    for (let page = 1; ; page++) {
      const res = await get(
        `/test-cases/list?project_id=${projectId}&per_page=100&page=${page}&sort=created_at`,
      );
      expectStatus(res, 200);
      all.push(...(res.body.items as Json[]));
      if (all.length >= (res.body.total as number)) return all;
    }
  }

  async function exportFile(projectId: number, body: Record<string, unknown>): Promise<string> {
    const res = checked(
      await t
        .http()
        .post(`${BASE}/test-cases/export/${projectId}`)
        .send(body)
        .buffer(true)
        .parse((r, done) => {
          let text = '';
          r.setEncoding('utf8');
          r.on('data', (c: string) => (text += c));
          r.on('end', () => done(null, text));
        }),
    );
    expectStatus(res, 200);
    return res.body as string;
  }

  it("imports the original documentation's CSV example as 2 cases (multipart upload)", async () => {
    const projectId = await project();
    const res = await upload({ project_id: projectId }, SUPPORT_CSV, 'support_test_cases.csv');
    expectStatus(res, 201);
    const report = res.body as Report;
    expect(report).toMatchObject({ format: 'csv', rows: 2, imported: 2, rejected: 0 });
    const stored = await cases(projectId);
    expect(stored.map((c) => c.id)).toEqual(report.imported_ids);
    expect(stored[0]).toMatchObject({
      name: 'Refund request',
      description: 'Customer wants money back',
      inputs: {
        customer_query: 'I want a refund for my order #123',
        product_info: 'Widget Pro, 30-day returns',
      },
      expected_outputs: { response: 'We will process your refund within 5 days.' },
      tags: ['refund', 'billing'],
      is_golden: true,
    });
    expect(stored[1]).toMatchObject({
      name: 'Shipping delay',
      description: null,
      is_golden: false,
    });
  });

  it('takes the file as JSON content, base64, or a raw body with the options in the query', async () => {
    const projectId = await project();
    const asText = await post('/test-cases/import', {
      project_id: projectId,
      content: SUPPORT_CSV,
      format: 'csv',
      dry_run: true,
    });
    expectStatus(asText, 200);
    expect(asText.body).toMatchObject({ dry_run: true, imported: 2, imported_ids: [] });
    expect(await cases(projectId)).toHaveLength(0);

    const asBase64 = await post('/test-cases/import', {
      project_id: projectId,
      content_base64: Buffer.from(SUPPORT_CSV).toString('base64'),
      filename: 'cases.csv',
    });
    expectStatus(asBase64, 201);
    expect(asBase64.body).toMatchObject({ imported: 2 });

    const jsonl = ['{"name":"raw-1","inputs":{"q":"a"}}', '{"name":"raw-2","inputs":{"q":"b"}}'];
    const raw = checked(
      await t
        .http()
        .post(`${BASE}/test_cases/import?project_id=${projectId}&format=jsonl`)
        .set('content-type', 'application/x-ndjson')
        .send(jsonl.join('\n')),
    );
    expectStatus(raw, 201);
    expect(raw.body).toMatchObject({ format: 'jsonl', imported: 2 });
    expect((await cases(projectId)).map((c) => c.name)).toEqual(
      expect.arrayContaining(['raw-1', 'raw-2']),
    );
  });

  it('reports each malformed row by line and lands the good ones', async () => {
    const projectId = await project();
    const signatureId = await signature(projectId);
    const file = [
      'name,input.question,input.max_words,expected.answer,is_golden', // line 1
      'good-1,What is 2+2?,5,4,yes', // 2
      'bad-json,"{""unclosed"": ",5,x,no', // 3
      'no-inputs,,,x,no', // 4
      'good-1,Again?,5,x,no', // 5: duplicate name
      'wrong-type,Typed?,"""five""",x,no', // 6: max_words must be an integer
      '"multi', // 7
      'line",Spans lines?,3,ok,true', // 8
      'bad-golden,Q?,1,x,maybe', // 9
    ].join('\n');
    const res = await upload({ project_id: projectId, signature_id: signatureId }, file);
    expectStatus(res, 201);
    const report = res.body as Report;
    expect(report).toMatchObject({ rows: 7, imported: 2, rejected: 5 });
    const lines = [...new Set(report.errors.map((e) => e.line))].sort((a, b) => a - b);
    expect(lines).toEqual([3, 4, 5, 6, 9]);
    const byLine = (line: number) =>
      report.errors
        .filter((e) => e.line === line)
        .map((e) => `${e.field ?? ''} ${e.message}`)
        .join(' | ');
    expect(byLine(3)).toMatch(/json/i);
    expect(byLine(4)).toMatch(/input/i);
    expect(byLine(5)).toMatch(/name/i);
    expect(byLine(6)).toMatch(/max_words/);
    expect(byLine(9)).toMatch(/is_golden/);
    const stored = await cases(projectId);
    expect(stored.map((c) => c.name)).toEqual(['good-1', 'multi\nline']);
    expect(stored[0]).toMatchObject({ inputs: { question: 'What is 2+2?', max_words: 5 } });
    expect(stored.every((c) => c.signature_id === signatureId)).toBe(true);
  });

  it('atomic=true rejects the whole file for one bad row; a broken file stores nothing', async () => {
    const projectId = await project();
    const atomic = await upload(
      { project_id: projectId, atomic: true },
      'name,input.q\nfine,1\nbroken,{oops\n',
    );
    const problem = expectProblem(atomic, 400);
    expect((problem as { report: Report }).report).toMatchObject({ imported: 0, rejected: 1 });
    expect(await cases(projectId)).toHaveLength(0);

    // JSON that stops being JSON part-way: the file cannot be read, nothing lands.
    const broken = await post('/test-cases/import', {
      project_id: projectId,
      format: 'json',
      content: '[\n{"name":"a","inputs":{"q":1}},\n{"name":"b","inputs":{"q":2}}\n',
    });
    expectProblem(broken, 400, ['content']);
    expect(await cases(projectId)).toHaveLength(0);
  });

  it('skips or renames names already taken, per on_conflict', async () => {
    const projectId = await project();
    const file = 'name,input.q\nalpha,1\nbeta,2\n';
    expectStatus(await upload({ project_id: projectId }, file), 201);

    const failed = (await upload({ project_id: projectId }, file)).body as Report;
    expect(failed).toMatchObject({ imported: 0, rejected: 2 });

    const skipped = (await upload({ project_id: projectId, on_conflict: 'skip' }, file))
      .body as Report;
    expect(skipped).toMatchObject({ imported: 0, skipped: 2, rejected: 0 });

    const renamed = (
      await upload({ project_id: projectId, on_conflict: 'rename' }, `${file}alpha,3\n`)
    ).body as Report;
    expect(renamed).toMatchObject({ imported: 3, renamed: 3, rejected: 0 });
    expect(renamed.renames.map((r) => r.to)).toEqual(['alpha-2', 'beta-2', 'alpha-3']);
    expect((await cases(projectId)).map((c) => c.name)).toEqual([
      'alpha',
      'beta',
      'alpha-2',
      'beta-2',
      'alpha-3',
    ]);
  });

  it('round-trips CSV and JSON: export, import into a new project, export again gives the same file', async () => {
    const source = await project();
    const tricky = [
      {
        name: 'numbers as text',
        inputs: { code: '007', flag: 'true', n: 42, empty: '' },
        expected_outputs: { response: 'null' },
        tags: ['a,b', 'plain'],
        is_golden: true,
      },
      {
        name: 'nested',
        description: 'quotes " and, commas\nand lines',
        inputs: { obj: { list: [1, 'two', { three: 3 }] }, text: '  padded  ' },
        expected_outputs: { response: { ok: true }, score: 0.5 },
        tags: [],
      },
      { name: 'unicode ✓', inputs: { text: 'héllo 世界 🎉', json_like: '{"not": "parsed"}' } },
    ];
    const bulk = await post('/test-cases/bulk', { project_id: source, test_cases: tricky });
    expectStatus(bulk, 201);

    for (const format of ['csv', 'json', 'jsonl'] as const) {
      const first = await exportFile(source, { format });
      const target = await project();
      const res = await post('/test-cases/import', {
        project_id: target,
        format,
        content: first,
      });
      expectStatus(res, 201);
      expect(res.body).toMatchObject({ imported: 3, rejected: 0 });
      const second = await exportFile(target, { format });
      const normalise = (text: string) =>
        format === 'json'
          ? text.replace(/"project_id":\d+/, '').replace(/"exported_at":"[^"]+"/, '')
          : text;
      expect(normalise(second)).toEqual(normalise(first));
      const copied = await cases(target);
      expect(copied.map((c) => [c.name, c.inputs, c.expected_outputs, c.tags])).toEqual(
        (await cases(source)).map((c) => [c.name, c.inputs, c.expected_outputs, c.tags]),
      );
    }
  });

  it('exports only golden cases or cases with the given tags', async () => {
    const projectId = await project();
    await post('/test-cases/bulk', {
      project_id: projectId,
      test_cases: [
        { name: 'g', inputs: { q: 1 }, is_golden: true, tags: ['x'] },
        { name: 'n', inputs: { q: 2 }, tags: ['x', 'y'] },
      ],
    });
    const golden = JSON.parse(await exportFile(projectId, { golden_only: true }));
    expect(golden.test_cases.map((c: Json) => c.name)).toEqual(['g']);
    expect(golden).toMatchObject({ version: 1, project_id: projectId, count: 1 });
    const tagged = await exportFile(projectId, { format: 'jsonl', tags: ['y'] });
    expect(
      tagged
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).name),
    ).toEqual(['n']);
  });

  it('imports a promptfoo CSV with vars and __expected, and a promptfoo YAML test file', async () => {
    const projectId = await project();
    const csv = [
      'question,context,__expected,__expected2',
      '"What is 2+2?",math,"equals: 4",',
      '"Capital of France?",geo,"icontains: paris","javascript: output.length < 10"',
    ].join('\n');
    const res = await upload({ project_id: projectId, format: 'promptfoo_csv' }, csv);
    expectStatus(res, 201);
    const report = res.body as Report;
    expect(report).toMatchObject({ imported: 2, rejected: 0 });
    expect(report.warnings.map((w) => w.line)).toEqual([3]);
    expect(report.warnings[0].message).toMatch(/javascript/);
    expect(report.suggested_metrics.map((m) => m.metric).sort()).toEqual([
      'contains',
      'exact_match',
    ]);
    const stored = await cases(projectId);
    expect(stored.map((c) => [c.inputs, c.expected_outputs])).toEqual([
      [{ question: 'What is 2+2?', context: 'math' }, { response: '4' }],
      [{ question: 'Capital of France?', context: 'geo' }, { response: 'paris' }],
    ]);

    const yaml = [
      'tests:',
      '  - description: greets',
      '    vars:',
      '      name: Ada',
      '    assert:',
      '      - type: contains',
      '        value: Hello',
      '  - vars:',
      '      name: Bob',
      '    assert:',
      '      - type: llm-rubric',
      '        value: Is polite',
    ].join('\n');
    const fromYaml = await upload({ project_id: projectId }, yaml, 'promptfooconfig.yaml');
    expectStatus(fromYaml, 201);
    expect(fromYaml.body).toMatchObject({ format: 'promptfoo_yaml', imported: 2 });
    const all = await cases(projectId);
    expect(all.slice(2).map((c) => [c.description, c.inputs, c.expected_outputs])).toEqual([
      ['greets', { name: 'Ada' }, { response: 'Hello' }],
      [null, { name: 'Bob' }, { rubric: 'Is polite' }],
    ]);
  });

  it('imports a 20,000-row CSV with a report, in one request', async () => {
    const projectId = await project();
    const rows = ['name,input.question,input.n,expected.response,tags,is_golden'];
    for (let i = 0; i < 20_000; i++) {
      rows.push(
        `case-${i},"Question number ${i}, with a comma?",${i},answer ${i},bulk,${i % 10 === 0}`,
      );
    }
    const res = await upload({ project_id: projectId }, rows.join('\n'));
    expectStatus(res, 201);
    const report = res.body as Report;
    expect(report).toMatchObject({ rows: 20_000, imported: 20_000, rejected: 0 });
    expect(new Set(report.imported_ids).size).toBe(20_000);
    const list = await get(`/test-cases/list?project_id=${projectId}&per_page=1&is_golden=true`);
    expect(list.body.total).toBe(2_000);
  });

  it('answers a template from a signature, and a generic one without', async () => {
    const projectId = await project();
    const signatureId = await signature(projectId);
    const csv = await get(`/test-cases/template?format=csv&signature_id=${signatureId}`);
    expectStatus(csv, 200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const header = csv.text.split(/\r?\n/)[0];
    expect(header).toContain('input.question');
    expect(header).toContain('input.max_words');
    expect(header).toContain('expected.answer');
    // The template itself imports.
    const back = await post('/test-cases/import', {
      project_id: projectId,
      format: 'csv',
      content: csv.text,
      signature_id: signatureId,
      dry_run: true,
    });
    expectStatus(back, 200);
    expect(back.body.rejected).toBe(0);

    const json = await get('/test-cases/template?format=json');
    expectStatus(json, 200);
    expect(() => JSON.parse(json.text) as unknown).not.toThrow();
  });

  it('refuses bad requests with problems naming the field', async () => {
    const projectId = await project();
    expectProblem(await post('/test-cases/import', { content: 'x' }), 400, ['project_id']);
    expectProblem(await post('/test-cases/import', { project_id: 2 ** 60, content: 'x' }), 400, [
      'project_id',
    ]);
    expectProblem(
      await post('/test-cases/import', { project_id: projectId, content: 'a', format: 'xlsx' }),
      400,
      ['format'],
    );
    expectProblem(await post('/test-cases/import', { project_id: projectId }), 400, ['content']);
    expectProblem(
      await post('/test-cases/import', {
        project_id: projectId,
        content: 'x',
        content_base64: 'eA==',
      }),
      400,
      ['content_base64'],
    );
    expectProblem(await post('/test-cases/import', { project_id: projectId, content: '' }), 400, [
      'format',
    ]);
    expectProblem(
      await post('/test-cases/import', { project_id: projectId, content: 'just a header\n' }),
      400,
      ['content'],
    );
    expectProblem(
      await post('/test-cases/import', { project_id: projectId, content: 'x', color: 'red' }),
      400,
      ['color'],
    );
    expectProblem(
      await post('/test-cases/import', { project_id: 999_999_999, content: 'x', format: 'csv' }),
      404,
    );
    // Form fields after the file are refused, and nothing is stored.
    const late = checked(
      await t
        .http()
        .post(`${BASE}/test-cases/import`)
        .field('project_id', String(projectId))
        .attach('file', Buffer.from('name,input.q\na,1\n'), 'cases.csv')
        .field('dry_run', 'true'),
    );
    expectProblem(late, 400, ['dry_run']);
    expect(await cases(projectId)).toHaveLength(0);
    expectProblem(await post(`/test-cases/export/${projectId}`, { format: 'xml' }), 400, [
      'format',
    ]);
    expectProblem(await post('/test-cases/export/abc', {}), 400);
    expectProblem(await get('/test-cases/template?format=yaml'), 400, ['format']);
    const unauthenticated = await t
      .anonymous()
      .post(`${BASE}/test-cases/import`)
      .field('project_id', String(projectId))
      .attach('file', Buffer.from('name,input.q\na,1\n'), 'cases.csv');
    expect(unauthenticated.status).toBe(401);
  });
});

describe('test case import of an upload that ends early', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers 400 naming the file when the multipart body is cut, and stores nothing', async () => {
    const created = await t
      .http()
      .post(`${BASE}/projects/create`)
      .send({ name: `cut ${Date.now()}` });
    const projectId = created.body.id as number;
    const boundary = 'cut-boundary';
    const rows = ['name,input.q'];
    for (let i = 0; i < 2000; i++) rows.push(`row-${i},question ${i}`);
    // The file part starts, its rows arrive, and the body ends without the closing boundary.
    const body = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="project_id"',
      '',
      String(projectId),
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="cases.csv"',
      'Content-Type: text/csv',
      '',
      rows.join('\n'),
    ].join('\r\n');
    const res = await t
      .http()
      .post(`${BASE}/test-cases/import`)
      .set('content-type', `multipart/form-data; boundary=${boundary}`)
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ field: 'file', message: expect.stringMatching(/ended early/) }),
    ]);
    const list = await t.http().get(`${BASE}/test-cases/list?project_id=${projectId}`);
    expect(list.body.total).toBe(0);
  });
});

describe('test case import size limit', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { IMPORT_MAX_BYTES: String(64 * 1024) } });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers 413 with the limit for an upload over IMPORT_MAX_BYTES, and stores nothing', async () => {
    const created = await t
      .http()
      .post(`${BASE}/projects/create`)
      .send({ name: `limit ${Date.now()}` });
    const projectId = created.body.id as number;
    const rows = ['name,input.q'];
    for (let i = 0; i < 10_000; i++) rows.push(`row-${i},${'x'.repeat(20)}`);
    const big = Buffer.from(rows.join('\n'));
    expect(big.length).toBeGreaterThan(128 * 1024);

    const multipart = await t
      .http()
      .post(`${BASE}/test-cases/import`)
      .field('project_id', String(projectId))
      .attach('file', big, 'big.csv');
    expect(multipart.status).toBe(413);
    expect(multipart.body).toMatchObject({ code: 'payload_too_large', limit_bytes: 64 * 1024 });

    const raw = await t
      .http()
      .post(`${BASE}/test-cases/import?project_id=${projectId}`)
      .set('content-type', 'text/csv')
      .send(big.toString());
    expect(raw.status).toBe(413);

    const list = await t.http().get(`${BASE}/test-cases/list?project_id=${projectId}`);
    expect(list.body.total).toBe(0);
  });

  it('stops a chunked upload (no Content-Length) at the limit and rolls back the rows it read', async () => {
    const created = await t
      .http()
      .post(`${BASE}/projects/create`)
      .send({ name: `chunked ${Date.now()}` });
    const projectId = created.body.id as number;
    const server = t.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as import('node:net').AddressInfo;
      // Valid rows well past the limit, sent in pieces: the first batches are read (and
      // inserted) before the limit is crossed.
      const encoder = new TextEncoder();
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 4_000) return controller.close();
          const rows = Array.from({ length: 500 }, (_, i) => `row-${sent + i},${'y'.repeat(40)}\n`);
          controller.enqueue(encoder.encode((sent === 0 ? 'name,input.q\n' : '') + rows.join('')));
          sent += 500;
        },
      });
      const res = await fetch(
        `http://127.0.0.1:${port}${BASE}/test-cases/import?project_id=${projectId}`,
        {
          method: 'POST',
          headers: { 'x-api-key': t.ownerKey, 'content-type': 'text/csv' },
          body,
          duplex: 'half',
        },
      );
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ code: 'payload_too_large' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    const list = await t.http().get(`${BASE}/test-cases/list?project_id=${projectId}`);
    expect(list.body.total).toBe(0);
  });
});

describe('test case import and export on the embedded database', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ database: 'pglite' });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('imports a file and exports it back', async () => {
    const created = await t
      .http()
      .post(`${BASE}/projects/create`)
      .send({ name: `pglite io ${Date.now()}` });
    const projectId = created.body.id as number;
    const imported = await t
      .http()
      .post(`${BASE}/test-cases/import`)
      .field('project_id', String(projectId))
      .attach('file', Buffer.from(SUPPORT_CSV), 'support_test_cases.csv');
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({ imported: 2 });
    const exported = await t
      .http()
      .post(`${BASE}/test-cases/export/${projectId}`)
      .send({ format: 'csv' });
    expect(exported.status).toBe(200);
    expect(exported.text.trim().split('\n')).toHaveLength(3);
  });
});

describe('test case import at the project limit', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { MAX_TEST_CASES_PER_PROJECT: '3' } });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('reports a renamed row that does not fit as an error only, never as a rename too', async () => {
    const created = await t
      .http()
      .post(`${BASE}/projects/create`)
      .send({ name: `at limit ${Date.now()}` });
    const projectId = created.body.id as number;
    const file = 'name,input.q\nalpha,1\n';
    const first = await t
      .http()
      .post(`${BASE}/test-cases/import`)
      .field('project_id', String(projectId))
      .attach('file', Buffer.from(file), 'cases.csv');
    expect(first.body).toMatchObject({ imported: 1 });

    // Three more rows named alpha: two fit (renamed alpha-2, alpha-3), the third is past the limit.
    const res = await t
      .http()
      .post(`${BASE}/test-cases/import`)
      .field('project_id', String(projectId))
      .field('on_conflict', 'rename')
      .attach('file', Buffer.from(`${file}alpha,2\nalpha,3\n`), 'cases.csv');
    expect(res.status).toBe(201);
    const report = res.body as Report;
    expect(report).toMatchObject({ imported: 2, renamed: 2, rejected: 1 });
    expect(report.renames.map((r) => [r.row, r.to])).toEqual([
      [1, 'alpha-2'],
      [2, 'alpha-3'],
    ]);
    expect(report.errors.map((e) => e.row)).toEqual([3]);
    expect(report.errors[0].message).toMatch(/limit/);
  });
});
