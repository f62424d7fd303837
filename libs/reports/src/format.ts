/**
 * Number and text formatting shared by the Markdown, HTML and PDF renderers, so the three show the
 * same figures. Everything here is locale independent: reports must not change with the server.
 */

/** Shown for a missing value (null, undefined, NaN, an empty statistic). */
export const NONE = '—';

function finite(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Groups the integer part with thin commas: 1234567 → "1,234,567". */
function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A plain number with a fixed number of decimals (default 3), or "—". */
export function num(value: number | null | undefined, decimals = 3): string {
  if (!finite(value)) return NONE;
  const fixed = value.toFixed(decimals);
  return fixed === `-${(0).toFixed(decimals)}` ? (0).toFixed(decimals) : fixed;
}

/** An integer count with thousands separators, or "—". */
export function int(value: number | null | undefined): string {
  if (!finite(value)) return NONE;
  const rounded = Math.round(value);
  const sign = rounded < 0 ? '-' : '';
  return sign + groupThousands(String(Math.abs(rounded)));
}

/** A fraction in [0, 1] as a percentage with one decimal: 0.8125 → "81.3%". */
export function pct(value: number | null | undefined): string {
  return finite(value) ? `${(value * 100).toFixed(1)}%` : NONE;
}

/** A signed difference: 0.0412 → "+0.041". */
export function signed(value: number | null | undefined, decimals = 3): string {
  if (!finite(value)) return NONE;
  const text = num(value, decimals);
  return value > 0 && !text.startsWith('-') && Number(text) !== 0 ? `+${text}` : text;
}

/** A 95% confidence interval: "[0.612, 0.701]". */
export function ci(value: readonly [number, number] | null | undefined, decimals = 3): string {
  if (!value || !finite(value[0]) || !finite(value[1])) return NONE;
  return `[${num(value[0], decimals)}, ${num(value[1], decimals)}]`;
}

/** A signed confidence interval for a difference: "[-0.012, +0.094]". */
export function signedCi(value: readonly [number, number] | null | undefined): string {
  if (!value || !finite(value[0]) || !finite(value[1])) return NONE;
  return `[${signed(value[0])}, ${signed(value[1])}]`;
}

/** A cost in US dollars, with enough decimals for fractions of a cent. */
export function usd(value: number | null | undefined): string {
  if (!finite(value)) return NONE;
  const abs = Math.abs(value);
  const decimals = abs === 0 || abs >= 100 ? 2 : abs >= 0.01 ? 4 : 6;
  const [whole, fraction] = abs.toFixed(decimals).split('.');
  return `${value < 0 ? '-' : ''}$${groupThousands(whole)}.${fraction}`;
}

/** A duration in milliseconds: "840 ms", "12.4 s". */
export function ms(value: number | null | undefined): string {
  if (!finite(value)) return NONE;
  if (Math.abs(value) < 1000) return `${Math.round(value)} ms`;
  if (Math.abs(value) < 60_000) return `${(value / 1000).toFixed(1)} s`;
  return `${(value / 60_000).toFixed(1)} min`;
}

/** A p-value: "0.034", "<0.001". */
export function pValue(value: number | null | undefined): string {
  if (!finite(value)) return NONE;
  if (value < 0.001) return '<0.001';
  return value.toFixed(3);
}

/** An ISO timestamp shown as "2024-05-01 12:34:56 UTC"; other strings unchanged. */
export function timestamp(value: string | null | undefined): string {
  if (!value) return NONE;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Elapsed time between two timestamps, or "—". */
export function elapsed(start: string | null, end: string | null): string {
  if (!start || !end) return NONE;
  const duration = new Date(end).getTime() - new Date(start).getTime();
  return Number.isFinite(duration) && duration >= 0 ? ms(duration) : NONE;
}

/** A yes/no for `passed`. */
export function passedText(value: boolean | null): string {
  return value === null ? NONE : value ? 'pass' : 'fail';
}

/**
 * Any JSON-like value as display text: strings as they are, everything else as compact JSON.
 * Never throws (circular structures and BigInts are reported, not rendered).
 */
export function displayValue(value: unknown): string {
  if (value === undefined || value === null) return NONE;
  if (typeof value === 'string') return value;
  return jsonText(value) ?? NONE;
}

/** JSON.stringify that never throws and maps bigint to strings. Undefined for `undefined`. */
export function jsonText(value: unknown, indent?: number): string | undefined {
  try {
    const text = JSON.stringify(
      value,
      (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
      indent,
    ) as string | undefined;
    return text;
  } catch {
    return '[unserializable value]';
  }
}

/**
 * Shortens text to at most `max` characters (code points, so surrogate pairs are never split),
 * ending with "…" and the number of characters left out when it was cut.
 */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const kept = chars.slice(0, Math.max(0, max)).join('').trimEnd();
  return `${kept}… (+${chars.length - max} chars)`;
}

/** Collapses line breaks and tabs to single spaces, for one-line cells. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ⏎ ').replace(/\t/g, ' ');
}

/** The title of a case: "#12 refund policy", with "(repeat 2)" when the run repeats cases. */
export function caseTitle(
  c: { test_case_id: number; name: string | null; repeat_index: number },
  showRepeat: boolean,
): string {
  const name = c.name ? ` ${c.name}` : '';
  return `#${c.test_case_id}${name}${showRepeat ? ` (repeat ${c.repeat_index})` : ''}`;
}
