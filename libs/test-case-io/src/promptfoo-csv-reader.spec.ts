import { Readable } from 'node:stream';
import { parseAssertionText } from './promptfoo-assertions';
import { parseCases } from './parse-cases';
import type { ParsedRow } from './types';

const chunks = (text: string) => Readable.from([text]);

async function read(text: string): Promise<ParsedRow[]> {
  const rows: ParsedRow[] = [];
  for await (const row of parseCases(chunks(text), 'promptfoo_csv')) rows.push(row);
  return rows;
}

describe('promptfoo CSV assertion grammar', () => {
  it.each([
    ['contains: Hello', { type: 'contains', value: 'Hello' }],
    [
      'similar(0.8):The capital is Paris',
      { type: 'similar', value: 'The capital is Paris', threshold: 0.8 },
    ],
    ['not-contains:London', { type: 'not-contains', value: 'London' }],
    ['is-json', { type: 'is-json', value: undefined }],
    ['llm-rubric: is polite', { type: 'llm-rubric', value: 'is polite' }],
    ['grade: is polite', { type: 'llm-rubric', value: 'is polite' }],
    ['fn: output.length < 10', { type: 'javascript', value: 'output.length < 10' }],
    ['eval:output === 1', { type: 'javascript', value: 'output === 1' }],
    ['javascript: 1', { type: 'javascript', value: '1' }],
    ['Paris', { type: 'equals', value: 'Paris' }],
    ['Note: the answer is 4', { type: 'equals', value: 'Note: the answer is 4' }],
    ['unknown-type:x', { type: 'equals', value: 'unknown-type:x' }],
    ['42', { type: 'equals', value: '42' }],
  ])('parses %p', (text, expected) => {
    expect(parseAssertionText(text, '__expected')).toEqual({ label: '__expected', ...expected });
  });
});

describe('promptfoo CSV reader', () => {
  it('maps vars, __expected columns and __description; warns about what it cannot map', async () => {
    const csv = [
      'question,context,__expected,__expected1,__expected2,__description,__prefix,__metadata:topic',
      '"What is 2+2?",42,4,"contains:four",,Basic math,,math',
      '"Capital of France?",,"similar(0.8):The capital is Paris","not-contains:London","javascript: output.length < 99",,Answer:,geo',
      'Rubric,ctx,"grade: is polite","icontains-any: hi, hello",,,,',
      'file,file://a.txt,contains:x,contains:y,,,,',
    ].join('\n');
    const rows = await read(csv);
    expect(rows.map((r) => [r.row, r.line, r.errors])).toEqual([
      [1, 2, []],
      [2, 3, []],
      [3, 4, []],
      [4, 5, []],
    ]);

    // Vars stay text (promptfoo passes CSV vars as strings); plain text is equals.
    expect(rows[0].record).toEqual({
      description: 'Basic math',
      inputs: { question: 'What is 2+2?', context: '42' },
      expected_outputs: { response: '4' },
      tags: ['topic:math'],
      is_golden: false,
      is_generated: false,
    });
    expect(rows[0].suggested_metrics).toEqual([{ metric: 'exact_match' }]);
    expect(rows[0].warnings).toEqual([
      '__expected1 (contains) not mapped: the case already expects "4" from __expected (equals).',
    ]);

    expect(rows[1].record?.expected_outputs).toEqual({ response: 'The capital is Paris' });
    expect(rows[1].record?.inputs).toEqual({ question: 'Capital of France?', context: '' });
    expect(rows[1].suggested_metrics).toEqual([
      { metric: 'semantic_similarity', pass_threshold: 0.8 },
    ]);
    expect(rows[1].warnings).toEqual([
      '__expected1 (not-contains) not mapped: negated assertions have no equivalent metric.',
      '__expected2 (javascript) not mapped: no equivalent metric.',
      '__prefix not imported: "Answer:".',
    ]);

    expect(rows[2].record?.expected_outputs).toEqual({
      rubric: 'is polite',
      response: ['hi', 'hello'],
    });
    expect(rows[2].suggested_metrics).toEqual([
      { metric: 'llm_judge', options: { rubric: 'is polite' } },
      { metric: 'contains', options: { case_sensitive: false, mode: 'any' } },
    ]);

    expect(rows[3].record?.inputs).toEqual({ question: 'file' });
    expect(rows[3].warnings[0]).toBe(
      'context not imported: values loaded from files (file://a.txt) are not read.',
    );
  });

  it('reads a header of variables only, and gives row errors for wrong cell counts', async () => {
    const rows = await read('q,a\none,1\ntwo\nthree,3,extra\n');
    expect(rows.map((r) => [r.line, r.record?.inputs ?? null, r.errors.length])).toEqual([
      [2, { q: 'one', a: '1' }, 0],
      [3, null, 1],
      [4, null, 1],
    ]);
  });

  it('fails the file when the header has no variable', async () => {
    await expect(read('__expected,__description\nx,y\n')).rejects.toThrow(/no variable column/);
  });
});
