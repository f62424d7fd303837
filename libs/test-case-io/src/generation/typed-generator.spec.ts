import type { SignatureFieldSpec } from '@ps/common';
import { normalisedKey } from './case-dedupe';
import { CASE_CATEGORIES, type ExistingCase, type GenerationRequest } from './generation-types';
import { checkValues } from './input-fields';
import { generateTypedCases } from './typed-generator';

const FIELDS: SignatureFieldSpec[] = [
  { name: 'text', type: 'string', required: true },
  { name: 'max_words', type: 'integer', required: true },
  { name: 'temperature', type: 'number', required: false },
  { name: 'formal', type: 'boolean', required: false },
  { name: 'keywords', type: 'array', required: false },
  { name: 'metadata', type: 'object', required: true },
];

function request(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    strategy: 'diverse',
    numCases: 50,
    inputFields: FIELDS,
    outputFields: null,
    withExpected: false,
    existing: [],
    seed: 7,
    ...overrides,
  };
}

const existingOf = (inputs: Record<string, unknown>[]): ExistingCase[] =>
  inputs.map((i, n) => ({ name: `c${n}`, inputs: i, expectedOutputs: {}, isGolden: false }));

describe('generateTypedCases', () => {
  it('gives the requested number of valid, distinct cases of every type and category', () => {
    const outcome = generateTypedCases(request({ numCases: 200 }));
    expect(outcome.cases).toHaveLength(200);
    expect(outcome.stopped).toBe('done');
    expect(outcome.calls).toBe(0);
    for (const c of outcome.cases) expect(checkValues(FIELDS, c.inputs, 'inputs')).toEqual([]);
    const keys = new Set(outcome.cases.map((c) => normalisedKey(c.inputs)));
    expect(keys.size).toBe(200);
    expect(new Set(outcome.cases.map((c) => c.category))).toEqual(new Set(CASE_CATEGORIES));
    // Each field type shows its edge values somewhere.
    const values = (name: string) => outcome.cases.map((c) => c.inputs[name]);
    expect(values('text')).toContain('');
    expect(values('max_words')).toEqual(expect.arrayContaining([0, 2147483647]));
    expect(values('keywords')).toContainEqual([]);
    expect(values('metadata')).toContainEqual({});
    expect(values('formal')).toEqual(expect.arrayContaining([true, false]));
    expect(values('temperature').filter((v) => typeof v === 'number').length).toBeGreaterThan(20);
  });

  it('is reproducible: the same seed gives the same cases, another seed others', () => {
    const a = generateTypedCases(request());
    const b = generateTypedCases(request());
    const c = generateTypedCases(request({ seed: 8 }));
    expect(b.cases).toEqual(a.cases);
    expect(c.cases).not.toEqual(a.cases);
  });

  it('leaves out optional fields in minimal cases and fills every field in maximal ones', () => {
    const { cases } = generateTypedCases(request({ numCases: 30 }));
    const minimal = cases.filter((c) => c.category === 'minimal');
    const maximal = cases.filter((c) => c.category === 'maximal');
    expect(minimal.length).toBeGreaterThan(0);
    for (const c of minimal)
      expect(Object.keys(c.inputs).sort()).toEqual(['max_words', 'metadata', 'text']);
    for (const c of maximal) {
      expect(Object.keys(c.inputs)).toHaveLength(FIELDS.length);
      expect((c.inputs.text as string).length).toBeGreaterThanOrEqual(2900);
    }
  });

  it('edge_cases draws no ordinary cases', () => {
    const { cases } = generateTypedCases(request({ strategy: 'edge_cases', numCases: 40 }));
    expect(cases).toHaveLength(40);
    expect(cases.some((c) => c.category === 'typical')).toBe(false);
    const injected = cases.filter((c) => c.title === 'adversarial text');
    expect(injected.length).toBeGreaterThan(0);
    // Not an ordinary sentence: one of the hostile strings.
    for (const c of injected) expect(c.inputs.text).not.toMatch(/^[A-Z][a-z ]+\.$/);
  });

  it('never repeats a case the project already has, even with the same seed', () => {
    const first = generateTypedCases(request({ numCases: 40 }));
    const second = generateTypedCases(
      request({ numCases: 40, existing: existingOf(first.cases.map((c) => c.inputs)) }),
    );
    expect(second.cases).toHaveLength(40);
    const before = new Set(first.cases.map((c) => normalisedKey(c.inputs)));
    for (const c of second.cases) expect(before.has(normalisedKey(c.inputs))).toBe(false);
    expect(second.rejected.duplicates).toBeGreaterThan(0);
  });

  it('stops with fewer cases when the inputs allow no more distinct ones', () => {
    const outcome = generateTypedCases(
      request({ inputFields: [{ name: 'flag', type: 'boolean', required: true }], numCases: 10 }),
    );
    expect(outcome.cases.map((c) => c.inputs.flag).sort()).toEqual([false, true]);
    expect(outcome.stopped).toBe('exhausted');
  });

  it('from_examples varies one field of an existing case at a time and keeps the rest', () => {
    const examples = existingOf([
      { text: 'Refund my order please.', max_words: 20, metadata: { lang: 'en' } },
      { text: 'Where is my parcel?', max_words: 10, metadata: { lang: 'en' }, formal: true },
    ]);
    const { cases } = generateTypedCases(
      request({ strategy: 'from_examples', numCases: 12, existing: examples }),
    );
    expect(cases).toHaveLength(12);
    const differing = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      FIELDS.filter((f) => JSON.stringify(a[f.name]) !== JSON.stringify(b[f.name])).length;
    for (const c of cases) {
      expect(checkValues(FIELDS, c.inputs, 'inputs')).toEqual([]);
      // Each case is an example with exactly one field changed (or added).
      expect(Math.min(...examples.map((e) => differing(c.inputs, e.inputs)))).toBe(1);
    }
    const texts = cases.map((c) => c.inputs.text);
    expect(texts.filter((t) => t === 'Refund my order please.').length).toBeGreaterThan(0);
  });

  it('refuses what it cannot do without a model', () => {
    expect(() => generateTypedCases(request({ strategy: 'from_description' }))).toThrow(
      /needs a model/,
    );
    expect(() => generateTypedCases(request({ strategy: 'from_examples' }))).toThrow(
      /existing test cases/,
    );
  });

  it('gives objects the members the prompt reads ({doc.meta.title})', () => {
    const { cases } = generateTypedCases(
      request({
        inputFields: [
          { name: 'doc', type: 'object', required: true },
          { name: 'q', type: 'string', required: true },
        ],
        objectPaths: { doc: ['audience', 'meta.title'] },
        numCases: 30,
      }),
    );
    expect(cases).toHaveLength(30);
    for (const c of cases) {
      const doc = c.inputs.doc as { audience: unknown; meta: { title: unknown } };
      expect(typeof doc.audience).toBe('string');
      expect(typeof doc.meta.title).toBe('string');
    }
  });
});
