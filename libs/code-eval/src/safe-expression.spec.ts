import { evaluate, ExpressionError, namesOf, parseExpression, type Value } from './safe-expression';

const scope: Record<string, Value> = {
  x: 5,
  y: 2.5,
  name: 'Ada',
  items: [1, 2, 3],
  point: { x: 1, y: -1 },
  flag: true,
  empty: [],
  none: null,
};

const run = (source: string, values = scope) => evaluate(parseExpression(source), values);

describe('safe expressions', () => {
  it.each<[string, Value]>([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['2 ** 3 ** 2', 512],
    ['-2 ** 2', -4],
    ['7 // 2', 3],
    ['-7 // 2', -4],
    ['-7 % 3', 2],
    ['7 / 2', 3.5],
    ['1e3 + .5', 1000.5],
    ['x > 3', true],
    ['0 < x < 10', true],
    ['0 < x < 4', false],
    ['1 < 2 > 3', false],
    ['x == 5 and y < 3', true],
    ['x == 5 && y > 3', false],
    ['x < 0 or flag', true],
    ['x < 0 || !flag', false],
    ['not flag', false],
    ['not empty', true],
    ['x != 5', false],
    ['x === 5', true],
    ["name == 'Ada'", true],
    ['"d" in name', true],
    ['4 not in items', true],
    ['2 in items', true],
    ["'x' in point", true],
    ['items[0] + items[-1]', 4],
    ['point.x + point.y', 0],
    ["point['y']", -1],
    ['len(items) == 3', true],
    ['sum(items) / len(items)', 2],
    ['max(items) - min(1, 0)', 3],
    ['abs(point.y)', 1],
    ['round(2.345, 2)', 2.35],
    ['all([flag, x > 1]) and not any([none, empty])', true],
    ['[1, 2] == [1, 2]', true],
    ['True and None', null],
    ['null == None', true],
    ['"a" + "b"', 'ab'],
    ['"a" < "b"', true],
  ])('%s = %j', (source, expected) => {
    expect(run(source)).toEqual(expected);
  });

  it.each<[string, string, string]>(
    [
      ['x +', 'unexpected end of expression'],
      ['x = 1', "unexpected '=' at 3"],
      ['open("/etc/passwd")', "unknown function 'open'"],
      ['__import__("os")', "unknown function '__import__'"],
      ['"abc', 'unterminated string'],
      ['x; y', "unexpected ';' at 2"],
      ['', 'empty expression'],
      ['('.repeat(40) + '1' + ')'.repeat(40), 'nested too deeply'],
      ['1'.repeat(1001), 'longer than 1000 characters'],
    ].map(([source, message]) => [
      source.length > 30 ? `${source.slice(0, 12)}…` : source,
      source,
      message,
    ]),
  )('refuses %j', (_label, source, message) => {
    expect(() => parseExpression(source)).toThrow(ExpressionError);
    expect(() => parseExpression(source)).toThrow(message);
  });

  it.each<[string, string]>([
    ['missing > 1', "the program defines no value 'missing'"],
    ['name > 1', "'>' needs a number, not string"],
    ['x / 0', 'division by zero'],
    ['items[5]', 'index 5 is out of range'],
    ['point.z', "no field 'z'"],
    ['x.constructor', "'.constructor' needs an object, not number"],
    ['point.constructor', "no field 'constructor'"],
    ["point['__proto__']", "no field '__proto__'"],
    ['items.length', "'.length' needs an object, not list"],
  ])('evaluating %j fails with %s', (source, message) => {
    expect(() => run(source)).toThrow(message);
  });

  it('reads only the own fields of the program values', () => {
    const values = JSON.parse('{"o": {"__proto__": {"polluted": 1}}}') as Record<string, Value>;
    expect(run("o['__proto__'].polluted", values)).toBe(1);
    expect(() => run('o.toString', values)).toThrow("no field 'toString'");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('lists the names an expression reads', () => {
    expect([...namesOf(parseExpression('a + b[c] > len(d) and e.f == "g"'))].sort()).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
    ]);
  });
});
