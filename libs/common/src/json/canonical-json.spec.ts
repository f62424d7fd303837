import { canonicalJson } from './canonical-json';

/** The definition, written the plain way: sort the keys, drop undefined members, join. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${reference(record[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

describe('canonicalJson', () => {
  it('sorts keys at every level and leaves undefined members out', () => {
    expect(
      canonicalJson({ b: 1, a: { d: [1, { z: 0, y: undefined }], c: 'x' }, e: undefined }),
    ).toBe('{"a":{"c":"x","d":[1,{"z":0}]},"b":1}');
    expect(canonicalJson({ b: 1, a: 2 })).toBe(canonicalJson({ a: 2, b: 1 }));
    // Keys sort as strings, integer-like ones too (an object would put "9" before "10").
    expect(canonicalJson({ 9: 'a', 10: 'b' })).toBe('{"10":"b","9":"a"}');
  });

  it('writes scalars, empty containers and holes as JSON does', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson([undefined, null, true, -0.5, 'a"\n'])).toBe(
      '[null,null,true,-0.5,"a\\"\\n"]',
    );
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({ only: undefined })).toBe('{}');
    expect(canonicalJson({ 'quoted "key"': 1 })).toBe('{"quoted \\"key\\"":1}');
  });

  it('agrees with the plain definition on generated values', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const make = (depth: number): unknown => {
      const pick = random();
      if (depth > 3 || pick < 0.3) {
        return [null, true, false, 0, -1.25, 'text', 'é\u2028"', undefined][
          Math.floor(random() * 8)
        ];
      }
      if (pick < 0.6)
        return Array.from({ length: Math.floor(random() * 4) }, () => make(depth + 1));
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 5) }, () => [
          ['b', 'a', 'role', 'content', 'Z', '10', '9'][Math.floor(random() * 7)],
          make(depth + 1),
        ]),
      );
    };
    for (let i = 0; i < 500; i++) {
      const value = make(0);
      expect(canonicalJson(value)).toBe(reference(value));
    }
  });
});
