import { createHash } from 'node:crypto';
import type { FakeRequest } from './types';

/**
 * Deterministic stand-ins for what a real model computes. Tests assert exact numbers, so every
 * rule here is simple enough to recompute by hand.
 */

/** Number of whitespace-separated words; 0 for an empty or blank text. */
export function countTokens(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? 0 : trimmed.split(/\s+/).length;
}

/**
 * `echo: <content of the last user message>` (`echo: ` when there is none), so a test can tell
 * which prompt produced which answer without configuring anything.
 */
export function defaultAnswer(req: FakeRequest): string {
  const lastUser = [...req.messages].reverse().find((m) => m.role === 'user');
  return `echo: ${lastUser?.content ?? ''}`;
}

/**
 * A unit-length vector derived from SHA-256 of the text. Every component is a float32 value, so
 * the vector survives the openai SDK's default base64/Float32Array round trip bit for bit and a
 * test can compare with toEqual.
 */
export function fakeEmbedding(text: string, dims: number): number[] {
  if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`dims must be >= 1, got ${dims}`);
  const raw = hashStream(text, dims).map((u32) => u32 / 0x80000000 - 1);
  const norm = Math.sqrt(raw.reduce((sum, x) => sum + x * x, 0)) || 1;
  return raw.map((x) => Math.fround(x / norm));
}

/** `count` 32-bit words from SHA-256(text, block index), i.e. a hash in counter mode. */
function hashStream(text: string, count: number): number[] {
  const words: number[] = [];
  for (let block = 0; words.length < count; block++) {
    const digest = createHash('sha256').update(`${block}\u0000${text}`).digest();
    for (let i = 0; i < digest.length && words.length < count; i += 4) {
      words.push(digest.readUInt32BE(i));
    }
  }
  return words;
}

/**
 * Cuts an answer into word-sized streaming deltas, whitespace attached to the following word:
 * "a b" → ["a", " b"]. Joining the pieces gives the answer back exactly.
 */
export function splitIntoPieces(answer: string): string[] {
  return answer.match(/\s*\S+|\s+$/g) ?? [];
}

/** Little-endian float32 bytes in base64: OpenAI's `encoding_format: 'base64'`. */
export function float32Base64(vector: number[]): string {
  const view = new DataView(new ArrayBuffer(vector.length * 4));
  vector.forEach((x, i) => view.setFloat32(i * 4, x, true));
  return Buffer.from(view.buffer).toString('base64');
}
