// Test-case import and export memory and speed, through a real API process on PostgreSQL:
//   a CSV of BENCH_IMPORT_MB (default 50, the default IMPORT_MAX_BYTES) is uploaded as multipart
//   from a file on disk, then the project is exported as CSV and as JSON, each read as a stream.
// It reports rows, time and rows/s, and the API's resident memory: idle before, peak (VmHWM from
// /proc/<pid>/status) after each step. The API gets a fresh process, so the peaks are this run's.
// Needs PostgreSQL (a scratch database is created and dropped) and Linux /proc; run with
// `npm run bench:test-case-io`.
//   BENCH_IMPORT_MB (default 50), BENCH_API_NODE_OPTIONS (NODE_OPTIONS of the API, e.g.
//   --max-old-space-size=96 to tell memory the import holds from garbage V8 has not collected).
import { randomBytes } from 'node:crypto';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  openAsBlob,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, memoryMb, ready, ROOT, start, stop } from './bench-support';

const TARGET_MB = Number(process.env.BENCH_IMPORT_MB ?? 50);
const ADMIN_URL =
  process.env.PS_TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Step {
  step: string;
  rows: number;
  megabytes: number;
  seconds: number;
  rows_per_s: number;
  api_peak_rss_mb: number;
}

/** Writes a CSV in the product's convention until it reaches `bytes`; returns its row count. */
async function writeCsv(path: string, bytes: number): Promise<number> {
  const out = createWriteStream(path);
  const header =
    'name,description,input.question,input.context,input.n,expected.response,tags,is_golden\n';
  out.write(header);
  let written = header.length;
  let rows = 0;
  while (written < bytes - 400) {
    const line =
      `case-${rows},"Row ${rows}: a realistic description, with a comma",` +
      `"What does clause ${rows} of the contract say about refunds, returns and delivery?",` +
      `"Context paragraph ${rows}: ${'lorem ipsum dolor sit amet '.repeat(3)}",${rows},` +
      `"{""answer"": ""refund within ${rows % 30} days"", ""confidence"": 0.${rows % 10}}",` +
      `"bench,batch-${rows % 50}",${rows % 10 === 0 ? 'yes' : 'no'}\n`;
    if (!out.write(line)) await once(out, 'drain');
    written += Buffer.byteLength(line);
    rows += 1;
  }
  out.end();
  await once(out, 'finish');
  return rows;
}

async function main(): Promise<void> {
  if (process.platform !== 'linux') throw new Error('This benchmark reads /proc: Linux only.');
  const db = `ps_bench_io_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${db}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'ps-bench-io-'));
  const csvPath = join(dataDir, 'cases.csv');
  const limitBytes = TARGET_MB * 1024 * 1024;
  const rows = await writeCsv(csvPath, limitBytes);
  const fileMb = statSync(csvPath).size / 1024 / 1024;
  console.error(`wrote ${rows} rows, ${fileMb.toFixed(1)} MB`);

  const port = await freePort();
  const api = start('api', {
    DATABASE_URL: url.toString(),
    DATA_DIR: dataDir,
    RATE_LIMIT_ENABLED: 'false',
    MAX_TEST_CASES_PER_PROJECT: String(rows + 1000),
    IMPORT_MAX_BYTES: String(limitBytes),
    PORT: String(port),
    ...(process.env.BENCH_API_NODE_OPTIONS
      ? { NODE_OPTIONS: process.env.BENCH_API_NODE_OPTIONS }
      : {}),
  });
  const steps: Step[] = [];
  try {
    const base = `http://127.0.0.1:${port}/api/v1/prompt-studio`;
    await ready(`http://127.0.0.1:${port}/health/ready`);
    const key = readFileSync(join(dataDir, 'owner-api-key'), 'utf8').trim();
    const headers = { 'x-api-key': key };
    const created = await fetch(`${base}/projects/create`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'import bench' }),
    });
    const project = (await created.json()) as { id: number };
    const pid = api.pid!;
    const idle = memoryMb(pid, 'VmRSS');

    const form = new FormData();
    form.set('project_id', String(project.id));
    form.set('file', await openAsBlob(csvPath, { type: 'text/csv' }), 'cases.csv');
    let began = performance.now();
    const res = await fetch(`${base}/test-cases/import`, { method: 'POST', headers, body: form });
    const report = (await res.json()) as { imported: number; rejected: number };
    let seconds = (performance.now() - began) / 1000;
    if (res.status !== 201 || report.imported !== rows) {
      throw new Error(`import answered ${res.status}: ${JSON.stringify(report).slice(0, 500)}`);
    }
    steps.push({
      step: 'import csv (multipart)',
      rows,
      megabytes: fileMb,
      seconds,
      rows_per_s: rows / seconds,
      api_peak_rss_mb: memoryMb(pid, 'VmHWM'),
    });

    for (const format of ['csv', 'json'] as const) {
      began = performance.now();
      const out = await fetch(`${base}/test-cases/export/${project.id}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ format }),
      });
      let bytes = 0;
      for await (const chunk of out.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
      }
      seconds = (performance.now() - began) / 1000;
      steps.push({
        step: `export ${format} (streamed)`,
        rows,
        megabytes: bytes / 1024 / 1024,
        seconds,
        rows_per_s: rows / seconds,
        api_peak_rss_mb: memoryMb(pid, 'VmHWM'),
      });
    }

    const summary = { file_mb: fileMb, rows, api_idle_rss_mb: idle, steps };
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench/results/test-case-io.json'), JSON.stringify(summary, null, 2));
    console.log(`API idle RSS before the import: ${idle.toFixed(0)} MB`);
    console.log('| step | rows | MB | s | rows/s | API peak RSS (MB) |');
    console.log('|---|---|---|---|---|---|');
    for (const s of steps) {
      console.log(
        `| ${s.step} | ${s.rows} | ${s.megabytes.toFixed(1)} | ${s.seconds.toFixed(1)} | ` +
          `${Math.round(s.rows_per_s)} | ${s.api_peak_rss_mb.toFixed(0)} |`,
      );
    }
  } finally {
    await stop(api);
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
