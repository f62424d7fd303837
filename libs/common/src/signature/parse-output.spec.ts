import { parseStructuredOutput } from './parse-output';
import type { SignatureFieldSpec } from './signature-fields';

const fields: SignatureFieldSpec[] = [
  { name: 'label', type: 'string', required: true },
  { name: 'confidence', type: 'number', required: false },
];

describe('parseStructuredOutput', () => {
  it.each([
    [
      'fenced JSON',
      'Sure:\n```json\n{"label": "spam", "confidence": 0.9}\n```',
      'json_fenced',
      { label: 'spam', confidence: 0.9 },
    ],
    ['bare fence', '```\n{"label": "ham"}\n```', 'json_fenced', { label: 'ham' }],
    [
      'first object in prose',
      'The answer is {"label": "spam", "confidence": "0.5"} I think {"x":1}',
      'json_object',
      { label: 'spam', confidence: 0.5 },
    ],
    ['braces inside strings', 'x {"label": "a } b"}', 'json_object', { label: 'a } b' }],
    [
      'field lines',
      'Label: spam\nConfidence: 0.75',
      'field_lines',
      { label: 'spam', confidence: 0.75 },
    ],
    ['markdown bold field lines', '- **label**: ham', 'field_lines', { label: 'ham' }],
  ])('%s', (_name, text, method, value) => {
    const parsed = parseStructuredOutput(text, fields);
    expect(parsed).toMatchObject({ ok: true, method, value });
  });

  it('skips an invalid first object and takes the next', () => {
    expect(parseStructuredOutput('{not json} then {"label": "x"}', fields).value).toEqual({
      label: 'x',
    });
  });

  it('takes the raw text for a single string output', () => {
    const single: SignatureFieldSpec[] = [{ name: 'answer', type: 'string', required: true }];
    expect(parseStructuredOutput('  Paris  ', single)).toMatchObject({
      ok: true,
      method: 'raw_text',
      value: { answer: 'Paris' },
    });
  });

  it('reports missing required fields and wrong types', () => {
    expect(parseStructuredOutput('{"confidence": "high"}', fields)).toMatchObject({
      ok: false,
      errors: ['label is missing', 'confidence is not of type number'],
    });
    expect(parseStructuredOutput('', fields)).toMatchObject({ ok: false, value: null });
  });

  it('coerces integers, booleans and arrays strictly', () => {
    const typed: SignatureFieldSpec[] = [
      { name: 'n', type: 'integer', required: true },
      { name: 'b', type: 'boolean', required: true },
      { name: 'tags', type: 'array', required: true },
    ];
    expect(parseStructuredOutput('n: 3\nb: yes\ntags: a, b', typed).value).toEqual({
      n: 3,
      b: true,
      tags: ['a', 'b'],
    });
    expect(parseStructuredOutput('n: 3.5\nb: yes\ntags: []', typed).ok).toBe(false);
  });
});
