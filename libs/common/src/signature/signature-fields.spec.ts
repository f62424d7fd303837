import { fieldsToJsonSchema, type SignatureFieldSpec, validateFields } from './signature-fields';

const fields: SignatureFieldSpec[] = [
  { name: 'text', type: 'string', required: true },
  { name: 'max_words', type: 'integer', required: false },
  { name: 'tags', type: 'array', required: false },
];

describe('validateFields', () => {
  it('accepts values matching the schema and reports unknown keys', () => {
    const result = validateFields(fields, { text: 'hi', max_words: 3, other: 1 }, 'inputs');
    expect(result).toEqual({ valid: true, errors: [], unknown_fields: ['other'] });
  });

  it('names missing required fields and wrong types', () => {
    const result = validateFields(fields, { max_words: 2.5, tags: 'x' }, 'inputs');
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => e.field).sort()).toEqual([
      'inputs.max_words',
      'inputs.tags',
      'inputs.text',
    ]);
    expect(result.errors.find((e) => e.field === 'inputs.text')?.message).toBe('text is required.');
  });

  it('distinguishes integer from number', () => {
    const numberField: SignatureFieldSpec[] = [{ name: 'x', type: 'number', required: true }];
    expect(validateFields(numberField, { x: 2.5 }, 'v').valid).toBe(true);
    expect(validateFields(fields, { text: 'a', max_words: 2.5 }, 'v').valid).toBe(false);
  });

  it('maps fields to a JSON Schema', () => {
    expect(fieldsToJsonSchema(fields)).toEqual({
      type: 'object',
      properties: {
        text: { type: 'string' },
        max_words: { type: 'integer' },
        tags: { type: 'array' },
      },
      required: ['text'],
      additionalProperties: true,
    });
  });
});
