/**
 * What the LLM layer costs per call, on top of the model itself. A fake OpenAI server that
 * answers at once (test/fakes, zero latency) makes the model time ~0, so what remains is the
 * client side: HTTP, JSON, LangChain, and LlmClient's own work (validation, PostgreSQL cache
 * read and write, limiter, retry wrapper, pricing, metrics).
 *
 * Modes, each N sequential calls after a warm-up:
 *   raw-fetch      fetch() to /v1/chat/completions and JSON.parse: the baseline.
 *   langchain-fetch ChatOpenAI.invoke() over the built-in fetch (the SDK's default transport).
 *   langchain      ChatOpenAI.invoke() over the product's node:http transport, as LlmClient uses it.
 *   llm-nocache    LlmClient.chat() with bypassCache: the layer without the cache.
 *   llm-miss       LlmClient.chat(), a new prompt each call: cache lookup (miss) + call + cache write.
 *   llm-hit        LlmClient.chat(), the same prompt each call: answered from the PostgreSQL cache.
 *
 * Then the same modes at concurrency BENCH_CONCURRENCY (default 64), fresh prompts, reporting
 * the process CPU per call (the fake server runs in this process too: compare modes, not totals).
 *
 * Needs PostgreSQL (a scratch database is created and dropped). Run with `npm run bench:llm`.
 *   BENCH_CALLS (default 2000), BENCH_SEQUENTIAL_CALLS (default BENCH_CALLS; 0 skips that pass),
 *   BENCH_WARMUP (default 200), BENCH_LATENCY_MS (the fake's latency, default 0),
 *   PS_TEST_DATABASE_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { randomBytes } from 'node:crypto';
import { ChatOpenAI } from '@langchain/openai';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { ApiConfig } from '@ps/config';
import { createDataSource, LlmCacheRepository } from '@ps/database';
import {
  BatchingCacheStore,
  type ChatMessage,
  httpFetch,
  LlmClient,
  type ModelConfig,
} from '@ps/llm';
import { startFakeLlm } from '../test/fakes';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
/** Calls per mode in the sequential pass (BENCH_SEQUENTIAL_CALLS=0 skips it). */
const SEQUENTIAL_CALLS = Number(process.env.BENCH_SEQUENTIAL_CALLS ?? CALLS);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 200);
const ADMIN_URL =
  process.env.PS_TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MODEL = 'gpt-4o-mini';
const SYSTEM = 'You answer in one short sentence';

interface Stats {
  p50: number;
  p95: number;
  mean: number;
}

const messagesFor = (i: number): ChatMessage[] => [
  { role: 'system', content: SYSTEM },
  { role: 'user', content: `Tell me about item ${i}` },
];

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return {
    p50: at(0.5),
    p95: at(0.95),
    mean: sorted.reduce((sum, x) => sum + x, 0) / sorted.length,
  };
}

/** Warm-up calls first (JIT, connection pools, model instances), then N timed calls. */
async function measure(call: (i: number) => Promise<unknown>): Promise<Stats> {
  for (let i = 0; i < WARMUP; i++) await call(-1 - i);
  const samples: number[] = [];
  for (let i = 0; i < SEQUENTIAL_CALLS; i++) {
    const started = performance.now();
    await call(i);
    samples.push(performance.now() - started);
  }
  return stats(samples);
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function main(): Promise<void> {
  // TypeORM's messages go through Nest's logger; the migration chatter is not the point here.
  Logger.overrideLogger(['error', 'warn']);
  const fakeLatency = Number(process.env.BENCH_LATENCY_MS ?? 0);
  const fake = await startFakeLlm({ latencyMs: fakeLatency });
  const dbName = `ps_bench_llm_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${dbName}`);
  const config = ApiConfig.fromEnv({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl(dbName),
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: `${fake.url}/v1`,
    LLM_CACHE_ENABLED: 'true',
    LLM_MAX_RETRIES: '0',
  });
  const dataSource = createDataSource(config.database);
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    // The product's cache store (llm_cache), as LlmModule wires it.
    const llm = new LlmClient({
      settings: config.llm,
      cache: new BatchingCacheStore(new LlmCacheRepository(dataSource)),
    });
    const modelConfig: ModelConfig = { provider: 'openai', model: MODEL };
    const url = `${fake.url}/v1/chat/completions`;
    const langchainFetch = new ChatOpenAI({
      model: MODEL,
      apiKey: 'sk-bench',
      configuration: { baseURL: `${fake.url}/v1` },
      maxRetries: 0,
    });
    const langchain = new ChatOpenAI({
      model: MODEL,
      apiKey: 'sk-bench',
      configuration: { baseURL: `${fake.url}/v1`, fetch: httpFetch },
      maxRetries: 0,
    });
    const lcMessages = (i: number) =>
      messagesFor(i).map((m) => [m.role === 'user' ? 'human' : m.role, m.content] as const);

    // Each mode asks for prompts of its own (offset), so no mode is served by another's cache.
    const modes: [string, (i: number) => Promise<unknown>][] = [
      [
        'raw-fetch',
        async (i) => {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
            body: JSON.stringify({ model: MODEL, messages: messagesFor(i) }),
          });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          return res.json();
        },
      ],
      ['langchain-fetch', (i) => langchainFetch.invoke(lcMessages(i).map((m) => [...m]))],
      ['langchain', (i) => langchain.invoke(lcMessages(i).map((m) => [...m]))],
      ['llm-nocache', (i) => llm.chat(modelConfig, messagesFor(i), { bypassCache: true })],
      ['llm-miss', (i) => llm.chat(modelConfig, messagesFor(1_000_000 + i))],
      ['llm-hit', () => llm.chat(modelConfig, messagesFor(-42))],
    ];

    if (SEQUENTIAL_CALLS > 0) {
      console.log(
        `LLM layer overhead: ${SEQUENTIAL_CALLS} sequential calls per mode (${WARMUP} warm-up),`,
      );
      console.log(`fake OpenAI server with ${fakeLatency} ms latency, PostgreSQL cache.\n`);
      const results: Record<string, Stats> = {};
      for (const [name, call] of modes) {
        fake.reset();
        results[name] = await measure(call);
        const upstream = fake.count('chat');
        const r = results[name];
        console.log(
          `${name.padEnd(15)} p50 ${r.p50.toFixed(3).padStart(7)} ms  p95 ${r.p95
            .toFixed(3)
            .padStart(
              7,
            )} ms  mean ${r.mean.toFixed(3).padStart(7)} ms  upstream requests ${upstream}`,
        );
      }
      const base = results['raw-fetch'];
      console.log('\nOverhead over raw-fetch (ms per call):');
      for (const [name, r] of Object.entries(results)) {
        if (name === 'raw-fetch') continue;
        const d = (x: number, y: number) => `${x - y >= 0 ? '+' : ''}${(x - y).toFixed(3)}`;
        console.log(
          `${name.padEnd(15)} p50 ${d(r.p50, base.p50).padStart(8)}  p95 ${d(
            r.p95,
            base.p95,
          ).padStart(8)}  mean ${d(r.mean, base.mean).padStart(8)}`,
        );
      }
      const layer = results['llm-nocache'].mean - results.langchain.mean;
      const cache = results['llm-miss'].mean - results['llm-nocache'].mean;
      console.log(
        `\nLlmClient over LangChain alone: ${layer.toFixed(3)} ms mean; PostgreSQL cache miss+write: ` +
          `${cache.toFixed(3)} ms mean; a cache hit costs ${results['llm-hit'].mean.toFixed(3)} ms.`,
      );
    }

    console.log(
      `\nCPU per call at concurrency ${CONCURRENCY} (${CALLS} calls per mode, fresh prompts):`,
    );
    for (const [index, [name, call]] of modes.entries()) {
      if (name === 'llm-hit') continue;
      const offset = 10_000_000 * (index + 1);
      let next = 0;
      const cpu = process.cpuUsage();
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < CALLS) await call(offset + next++);
        }),
      );
      const used = process.cpuUsage(cpu);
      console.log(
        `${name.padEnd(15)} ${((used.user + used.system) / 1000 / CALLS).toFixed(3)} ms CPU per call, ` +
          `${(performance.now() - started).toFixed(0)} ms wall`,
      );
    }
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await fake.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
