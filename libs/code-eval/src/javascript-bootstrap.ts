/**
 * The first code of a JavaScript program's process, run as `node --experimental-permission
 * --max-old-space-size=M -e BOOTSTRAP` under the OS limits. Node's permission model refuses file
 * system access, child processes, worker threads and native addons to the whole process; the
 * program itself runs in a `vm` context whose global object has a null prototype and that is
 * given no host object or function at all (no require, process, timers or host console), so
 * the usual `this.constructor.constructor('return process')()` finds nothing. `console` is
 * defined inside the context and buffers at most `max_output` characters; everything read back
 * (printed text, test results, values) is serialised to strings by scripts inside the context,
 * under the time limit. Reports are JSON lines on fd 3.
 */
export const JAVASCRIPT_BOOTSTRAP = String.raw`
'use strict';
const vm = require('vm');
const fs = require('fs');
const report = (obj) => fs.writeSync(3, JSON.stringify(obj) + '\n');
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  const job = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const finish = () => process.exit(0);
  try {
    run(job);
  } catch (err) {
    report({ event: 'host_error', message: String(err && err.message) });
  }
  finish();
});

const PRELUDE = (maxOutput) => '(() => {' +
  'const out = []; let size = 0; let exceeded = false;' +
  'const stringify = JSON.stringify; const isFinite = Number.isFinite; const S = String;' +
  'const fmt = (v) => { try { if (typeof v === "string") return v;' +
  '  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean" || v == null) return S(v);' +
  '  const s = stringify(v); return s === undefined ? S(v) : s; } catch (e) { return "[unprintable]"; } };' +
  'const write = (args) => { if (exceeded) throw new Error("output limit reached");' +
  '  let line = ""; for (let i = 0; i < args.length; i++) line += (i ? " " : "") + fmt(args[i]);' +
  '  line += "\\n"; if (size + line.length > ' + maxOutput + ') { exceeded = true;' +
  '  throw new Error("output limit reached"); } out.push(line); size += line.length; };' +
  'const log = (...args) => write(args);' +
  'const console = Object.freeze({ log, info: log, warn: log, error: log, debug: log });' +
  'Object.defineProperty(globalThis, "console", { value: console, writable: true, configurable: true });' +
  'const replacer = (k, v) => typeof v === "number" && !isFinite(v)' +
  '  ? { __float__: v !== v ? "nan" : v > 0 ? "inf" : "-inf" }' +
  '  : typeof v === "bigint" ? Number(v) : typeof v === "function" ? { __repr__: "function" }' +
  '  : typeof v === "symbol" ? { __repr__: S(v) } : v;' +
  'const ser = (v) => { if (v === undefined) return "null"; const s = stringify(v, replacer);' +
  '  return s === undefined ? "null" : s.length > 100000 ? stringify({ __repr__: "too large" }) : s; };' +
  'Object.defineProperty(globalThis, "__ps", { value: Object.freeze({ ser }), writable: false, configurable: false, enumerable: false });' +
  'return Object.freeze({ take: () => out.join(""), exceeded: () => exceeded,' +
  '  describe: (e) => { try { if (e && typeof e === "object") return S(e.name) + ": " + S(e.message);' +
  '    return "thrown: " + S(e); } catch (x) { return "an exception that cannot be described"; } } });' +
  '})()';

function run(job) {
  const context = vm.createContext(Object.create(null), {
    codeGeneration: { strings: true, wasm: false },
    microtaskMode: 'afterEvaluate',
  });
  const io = vm.runInContext(PRELUDE(job.max_output), context);
  const timeout = job.timeout_ms;
  const deadline = Date.now() + timeout;
  const left = () => Math.max(1, deadline - Date.now());
  const flush = () => { const text = io.take(); if (text) process.stdout.write(text); };
  let script;
  try {
    script = new vm.Script(job.code, { filename: 'program.js' });
  } catch (err) {
    const where = /program\.js:(\d+)/.exec(String(err && err.stack));
    report({ event: 'syntax_error', message: String(err && err.message), line: where ? Number(where[1]) : null });
    return;
  }
  report({ event: 'ready' });
  const timedOut = (err) => err && err.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
  try {
    script.runInContext(context, { timeout: left(), breakOnSigint: false });
  } catch (err) {
    flush();
    if (io.exceeded()) return report({ event: 'output_limit' });
    if (timedOut(err)) return report({ event: 'timeout' });
    const message = io.describe(err);
    return report({ event: 'exception', type: message.split(':')[0], message, traceback: '' });
  }
  for (let i = 0; i < job.tests.length; i++) {
    try {
      const json = vm.runInContext('__ps.ser((\n' + job.tests[i] + '\n))', context, { timeout: left(), filename: 'test-' + i + '.js' });
      report({ event: 'test', index: i, ok: true, value: JSON.parse(json) });
    } catch (err) {
      if (timedOut(err)) { flush(); return report({ event: 'timeout' }); }
      report({ event: 'test', index: i, ok: false, error: err instanceof SyntaxError ? 'the test call does not parse: ' + err.message : io.describe(err) });
    }
  }
  const values = {};
  for (const name of job.names) {
    try {
      const json = vm.runInContext('typeof ' + name + ' === "undefined" ? "\u0000" : __ps.ser(' + name + ')', context, { timeout: left() });
      if (json !== '\u0000') values[name] = JSON.parse(json);
    } catch (err) {
      if (timedOut(err)) { flush(); return report({ event: 'timeout' }); }
    }
  }
  flush();
  if (io.exceeded()) return report({ event: 'output_limit' });
  report({ event: 'done', values });
}
`;
