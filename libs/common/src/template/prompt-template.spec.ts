import { renderTemplate, templateVariables } from './prompt-template';
import { renderPrompt } from './render-prompt';

describe('renderTemplate', () => {
  it.each([
    ['single braces', 'Hi {name}!', { name: 'Ada' }, 'Hi Ada!'],
    ['double braces', 'Hi {{name}}!', { name: 'Ada' }, 'Hi Ada!'],
    ['double braces with spaces', 'Hi {{ name }}!', { name: 'Ada' }, 'Hi Ada!'],
    [
      'dotted path',
      '{doc.title} by {doc.author.name}',
      { doc: { title: 'T', author: { name: 'A' } } },
      'T by A',
    ],
    ['numbers and booleans', '{n} {b}', { n: 3, b: false }, '3 false'],
    ['objects as JSON', 'data: {d}', { d: { a: [1, 2] } }, 'data: {"a":[1,2]}'],
    ['null as empty', '[{x}]', { x: null }, '[]'],
    ['repeated variable', '{a}{a}', { a: 'x' }, 'xx'],
    ['JSON braces stay', 'Return {"answer": "{a}"}', { a: 'yes' }, 'Return {"answer": "yes"}'],
    ['non-identifiers stay', '{1abc} { spaced } {}', {}, '{1abc} { spaced } {}'],
  ])('%s', (_name, template, inputs, expected) => {
    expect(renderTemplate(template, inputs).text).toBe(expected);
  });

  it('reports missing variables and leaves them in the text', () => {
    const result = renderTemplate('Q: {question} C: {{context}} again {question}', {});
    expect(result.text).toBe('Q: {question} C: {{context}} again {question}');
    expect(result.missing).toEqual(['question', 'context']);
    expect(result.variables).toEqual(['question', 'context']);
  });

  it('treats a missing nested key as missing', () => {
    expect(renderTemplate('{a.b}', { a: {} }).missing).toEqual(['a.b']);
    expect(renderTemplate('{a.b}', { a: 'text' }).missing).toEqual(['a.b']);
  });

  it('does not read inherited properties', () => {
    expect(renderTemplate('{toString}', {}).missing).toEqual(['toString']);
  });

  it('lists variables in order of first appearance', () => {
    expect(templateVariables('{b} {{a}} {b} {c.d}')).toEqual(['b', 'a', 'c.d']);
  });
});

describe('renderPrompt', () => {
  it('builds system, few-shot pairs and the user message', () => {
    const rendered = renderPrompt(
      {
        systemPrompt: 'You answer in {lang}.',
        userPrompt: 'Q: {question}',
        fewShotExamples: [
          { inputs: { question: '2+2?' }, outputs: { answer: '4' } },
          { inputs: { question: 'Capital of France?' }, outputs: 'Paris' },
        ],
      },
      { lang: 'English', question: 'Why?', extra: 1 },
    );
    expect(rendered.messages).toEqual([
      { role: 'system', content: 'You answer in English.' },
      { role: 'user', content: 'Q: 2+2?' },
      { role: 'assistant', content: '{"answer":"4"}' },
      { role: 'user', content: 'Q: Capital of France?' },
      { role: 'assistant', content: 'Paris' },
      { role: 'user', content: 'Q: Why?' },
    ]);
    expect(rendered.variables).toEqual(['lang', 'question']);
    expect(rendered.missingVariables).toEqual([]);
    expect(rendered.unusedInputs).toEqual(['extra']);
  });

  it('omits the system message when there is none', () => {
    const rendered = renderPrompt({ systemPrompt: null, userPrompt: 'x', fewShotExamples: [] }, {});
    expect(rendered.messages).toEqual([{ role: 'user', content: 'x' }]);
    expect(rendered.systemPrompt).toBeNull();
  });
});
