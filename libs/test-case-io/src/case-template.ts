import type { SignatureFieldSpec } from '@ps/common';
import { orderedRecord } from './case-record';
import { csvColumns, csvHeaderLine, csvRowLine } from './case-writers';
import { type CaseRecord, EXPORT_VERSION } from './types';

export interface TemplateSignature {
  input_schema: SignatureFieldSpec[];
  output_schema: SignatureFieldSpec[];
}

export interface CaseTemplate {
  content_type: string;
  filename: string;
  body: string;
}

/** An example value of a signature field's type. */
function exampleValue(field: SignatureFieldSpec): unknown {
  switch (field.type) {
    case 'string':
      return `example ${field.name}`;
    case 'integer':
      return 1;
    case 'number':
      return 0.5;
    case 'boolean':
      return true;
    case 'array':
      return [`example ${field.name} item`];
    case 'object':
      return { key: 'value' };
  }
}

const fromFields = (fields: SignatureFieldSpec[]) =>
  Object.fromEntries(fields.map((f) => [f.name, exampleValue(f)]));

/** The example case: from the signature's fields when there is one, else a generic one. */
function exampleCase(signature?: TemplateSignature): CaseRecord {
  const generic = orderedRecord({
    name: 'Capital of France',
    description: 'Answers a factual question from the given context.',
    inputs: {
      question: 'What is the capital of France?',
      context: 'France is a country in Western Europe. Its capital is Paris.',
    },
    expected_outputs: { answer: 'Paris' },
    tags: ['example'],
  });
  if (!signature) return generic;
  return orderedRecord({
    name: 'Example case',
    description: 'Replace the example values with a real case.',
    // A case needs inputs: a signature without input fields keeps the generic ones.
    inputs: signature.input_schema.length > 0 ? fromFields(signature.input_schema) : generic.inputs,
    expected_outputs: fromFields(signature.output_schema),
    tags: ['example'],
  });
}

/**
 * A file to fill in and import: the CSV header and one example row, or a JSON document in the
 * export's shape with one example case. Columns and example values follow the signature's
 * fields (by type) when one is given.
 */
export function templateFor(format: 'csv' | 'json', signature?: TemplateSignature): CaseTemplate {
  const example = exampleCase(signature);
  if (format === 'csv') {
    const columns = csvColumns(Object.keys(example.inputs), Object.keys(example.expected_outputs));
    return {
      content_type: 'text/csv; charset=utf-8',
      filename: 'test-cases-template.csv',
      body: csvHeaderLine(columns) + csvRowLine(columns, example),
    };
  }
  return {
    content_type: 'application/json',
    filename: 'test-cases-template.json',
    body: `${JSON.stringify({ version: EXPORT_VERSION, test_cases: [example] }, null, 2)}\n`,
  };
}
