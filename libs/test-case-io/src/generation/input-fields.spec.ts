import {
  checkValues,
  fieldsFromExamples,
  fieldsFromTemplate,
  fillPaths,
  inputFieldsFor,
  missingPaths,
  templatePaths,
} from './input-fields';

describe('fieldsFromTemplate', () => {
  it('makes each variable a required string, and a dotted one an object', () => {
    expect(
      fieldsFromTemplate(
        'You are {{ role }}.',
        'Summarise {text} by {doc.author} ({doc.year}); {role}',
      ),
    ).toEqual([
      { name: 'role', type: 'string', required: true },
      { name: 'text', type: 'string', required: true },
      { name: 'doc', type: 'object', required: true, description: 'has doc.author' },
    ]);
  });

  it('ignores braces that are not variables, and absent templates', () => {
    expect(fieldsFromTemplate(null, 'Answer as {"label": "x"} for {q}', undefined)).toEqual([
      { name: 'q', type: 'string', required: true },
    ]);
  });
});

describe('fieldsFromExamples', () => {
  it('types each key by its values and requires the keys every case has', () => {
    expect(
      fieldsFromExamples([
        { q: 'a', n: 1, x: 1, tags: ['t'], mixed: 'a' },
        { q: 'b', n: 2, x: 1.5, meta: { k: 1 }, mixed: 2 },
      ]),
    ).toEqual([
      { name: 'q', type: 'string', required: true },
      { name: 'n', type: 'integer', required: true },
      { name: 'x', type: 'number', required: true },
      { name: 'tags', type: 'array', required: false },
      { name: 'mixed', type: 'string', required: true },
      { name: 'meta', type: 'object', required: false },
    ]);
  });
});

describe('checkValues', () => {
  it('refuses fields the schema does not declare, as well as wrong types', () => {
    const fields = [{ name: 'q', type: 'string' as const, required: true }];
    expect(checkValues(fields, { q: 1, extra: true }, 'inputs')).toEqual([
      { field: 'inputs.q', message: 'q must be string.' },
      { field: 'inputs.extra', message: 'extra is not a field (expected q).' },
    ]);
    expect(checkValues(fields, { q: '' }, 'inputs')).toEqual([]);
  });
});

describe('inputFieldsFor', () => {
  const signature = [{ name: 'a', type: 'integer' as const, required: true }];

  it('takes the signature first, then the prompt variables, then the cases', () => {
    const all = { signature, templates: ['Hi {b}'], examples: [{ c: true }] };
    expect(inputFieldsFor(all)).toEqual({ fields: signature, source: 'signature' });
    expect(inputFieldsFor({ ...all, signature: [] })).toEqual({
      fields: [{ name: 'b', type: 'string', required: true }],
      source: 'prompt',
    });
    expect(inputFieldsFor({ ...all, signature: null, templates: ['no variables'] })).toEqual({
      fields: [{ name: 'c', type: 'boolean', required: true }],
      source: 'examples',
    });
    expect(inputFieldsFor({ templates: ['none'], examples: [] })).toBeNull();
  });
});

describe('templatePaths, missingPaths and fillPaths', () => {
  it('find and fill the members a template reads inside objects', () => {
    const paths = templatePaths('{doc.title} by {doc.meta.author}', '{q} {doc.title}');
    expect(paths).toEqual({ doc: ['title', 'meta.author'] });
    const inputs: Record<string, unknown> = { q: 'x', doc: { title: 'T', meta: 'not an object' } };
    expect(missingPaths(inputs, paths)).toEqual(['doc.meta.author']);
    fillPaths(inputs, paths, (path) => `<${path}>`);
    expect(inputs).toEqual({ q: 'x', doc: { title: 'T', meta: { author: '<doc.meta.author>' } } });
    expect(missingPaths(inputs, paths)).toEqual([]);
  });
});
