import { generationTag, toGeneratedRecords } from './generated-records';
import type { GeneratedCase } from './generation-types';

const gen = (title: string, expected: Record<string, unknown> | null = null): GeneratedCase => ({
  title,
  description: null,
  category: 'edge',
  inputs: { q: title },
  expectedOutputs: expected,
});

describe('toGeneratedRecords', () => {
  it('names cases uniquely, case-insensitively, against the project and each other', () => {
    const records = toGeneratedRecords(
      [gen('Empty text'), gen('empty TEXT'), gen('Other'), gen('  ')],
      {
        strategy: 'edge_cases',
        isGolden: false,
        takenNames: ['EMPTY TEXT', 'empty text (2)'],
      },
    );
    expect(records.map((r) => r.name)).toEqual([
      'Empty text (3)',
      'empty TEXT (4)',
      'Other',
      'generated case',
    ]);
  });

  it('keeps names within 200 characters, suffix included', () => {
    const long = 'x'.repeat(250);
    const [a, b] = toGeneratedRecords([gen(long), gen(long)], {
      strategy: 'diverse',
      isGolden: false,
      takenNames: [],
    });
    expect(a.name).toHaveLength(200);
    expect(b.name).toBe(`${'x'.repeat(196)} (2)`);
  });

  it('tags the origin, strategy and kind, and marks proposed expected outputs unreviewed', () => {
    const [plain, proposed] = toGeneratedRecords([gen('a'), gen('b', { answer: 'x' })], {
      strategy: 'from_examples',
      isGolden: true,
      takenNames: [],
      extraTags: [generationTag(42)],
    });
    expect(plain).toMatchObject({
      tags: ['generated', 'strategy:from_examples', 'kind:edge', 'generation:42'],
      expectedOutputs: {},
      isGolden: true,
    });
    expect(proposed.tags).toEqual([
      'generated',
      'strategy:from_examples',
      'kind:edge',
      'generation:42',
      'unreviewed',
    ]);
    expect(proposed.expectedOutputs).toEqual({ answer: 'x' });
  });
});
