import { ParameterError, parseParameters } from './params';
import type { ParameterSpec } from './types';

const specs: ParameterSpec[] = [
  { name: 'patience', type: 'integer', description: '', default: 3, minimum: 1, maximum: 20 },
  {
    name: 'min_improvement',
    type: 'number',
    description: '',
    default: 0.01,
    minimum: 0,
    maximum: 1,
  },
  { name: 'strict', type: 'boolean', description: '', default: false },
  { name: 'selection', type: 'enum', description: '', default: 'best', values: ['best', 'random'] },
  { name: 'label', type: 'string', description: '', default: null },
  {
    name: 'grid',
    type: 'array',
    description: '',
    default: [0, 1],
    items: 'number',
    minimum: 0,
    maximum: 2,
  },
];

function errorsOf(input: unknown) {
  try {
    parseParameters(specs, input);
  } catch (err) {
    expect(err).toBeInstanceOf(ParameterError);
    return (err as ParameterError).errors;
  }
  throw new Error('expected a ParameterError');
}

describe('parseParameters', () => {
  it('fills defaults and keeps given values', () => {
    expect(parseParameters(specs, undefined)).toEqual({
      patience: 3,
      min_improvement: 0.01,
      strict: false,
      selection: 'best',
      label: null,
      grid: [0, 1],
    });
    expect(parseParameters(specs, { patience: 5, selection: 'random', grid: [2] })).toMatchObject({
      patience: 5,
      selection: 'random',
      grid: [2],
    });
  });

  it('does not share default objects between calls', () => {
    const a = parseParameters<{ grid: number[] }>(specs, {});
    a.grid.push(9);
    expect(parseParameters<{ grid: number[] }>(specs, {}).grid).toEqual([0, 1]);
  });

  it('names the field and the range of every bad value', () => {
    expect(
      errorsOf({ patience: 0, min_improvement: 'x', strict: 1, selection: 'worst', grid: [1, 5] }),
    ).toEqual([
      {
        field: 'strategy_params.patience',
        message: 'patience must be an integer between 1 and 20 (got 0).',
      },
      {
        field: 'strategy_params.min_improvement',
        message: 'min_improvement must be a number between 0 and 1.',
      },
      { field: 'strategy_params.strict', message: 'strict must be true or false.' },
      { field: 'strategy_params.selection', message: 'selection must be one of best, random.' },
      {
        field: 'strategy_params.grid.1',
        message: 'grid[1] must be a number between 0 and 2 (got 5).',
      },
    ]);
  });

  it('rejects fractional integers, unknown keys and non-objects', () => {
    expect(errorsOf({ patience: 2.5 })[0]).toMatchObject({ field: 'strategy_params.patience' });
    expect(errorsOf({ patiense: 2 })[0]).toMatchObject({
      field: 'strategy_params.patiense',
      message: expect.stringContaining('patience, min_improvement'),
    });
    expect(errorsOf([1])[0]).toMatchObject({ field: 'strategy_params' });
    expect(errorsOf({ strict: null })[0]).toMatchObject({ field: 'strategy_params.strict' });
  });

  it('accepts null for a parameter whose default is null', () => {
    expect(parseParameters(specs, { label: null })).toMatchObject({ label: null });
    expect(parseParameters(specs, { label: 'x' })).toMatchObject({ label: 'x' });
  });
});
