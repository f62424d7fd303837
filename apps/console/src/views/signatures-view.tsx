import { type FormEvent, useState } from 'react';
import { useClient } from '../api/session-context';
import {
  createSignature,
  fieldErrors,
  listSignatures,
  type SignatureFieldDto,
  type SignatureResponseDto,
  unwrap,
  updateSignature,
  validateSignatureInputs,
} from '../api/studio';
import { DataState, ErrorNotice, Field, Section } from '../components/ui';
import { useTitle } from '../lib/router';
import { useLoad } from '../lib/use-load';
import { useProject } from './project-layout';

const TYPES: SignatureFieldDto['type'][] = [
  'string',
  'integer',
  'number',
  'boolean',
  'array',
  'object',
];

export function SignaturesView() {
  const project = useProject();
  useTitle(`Signatures · ${project.name}`);
  const client = useClient();
  const signatures = useLoad(
    () => unwrap(listSignatures({ client, query: { project_id: project.id, per_page: 100 } })),
    [client, project.id],
  );
  const [editing, setEditing] = useState<SignatureResponseDto | 'new'>('new');
  const [notice, setNotice] = useState<string | null>(null);
  const edit = (target: SignatureResponseDto | 'new') => {
    setEditing(target);
    setNotice(null);
  };
  return (
    <div className="page">
      <h1>Signatures</h1>
      <p className="lead">
        Typed inputs and outputs of a task. Test cases are checked against the inputs; answers are
        parsed into the outputs and compared field by field.
      </p>
      <div className="two-col">
        <Section
          title="Signatures"
          actions={
            <button type="button" onClick={() => edit('new')}>
              New signature
            </button>
          }
        >
          <DataState {...signatures}>
            {(data) =>
              data.items.length === 0 ? (
                <p>No signature yet.</p>
              ) : (
                <ul className="plain-list">
                  {data.items.map((s) => (
                    <li key={s.id}>
                      <button
                        type="button"
                        className="link-button"
                        aria-pressed={editing !== 'new' && editing.id === s.id}
                        onClick={() => edit(s)}
                      >
                        {s.name}
                      </button>
                      <span className="muted small">
                        {' '}
                        in: {s.input_schema.map((f) => f.name).join(', ') || '—'} · out:{' '}
                        {s.output_schema.map((f) => f.name).join(', ') || '—'}
                      </span>
                    </li>
                  ))}
                </ul>
              )
            }
          </DataState>
        </Section>
        <div>
          {notice ? (
            <p className="notice notice-ok" role="status">
              {notice}
            </p>
          ) : null}
          <SignatureEditor
            key={editing === 'new' ? 'new' : editing.id}
            projectId={project.id}
            signature={editing === 'new' ? null : editing}
            onSaved={(s) => {
              signatures.reload();
              setEditing(s);
              setNotice(`${editing === 'new' ? 'Created' : 'Saved'} ${s.name}.`);
            }}
          />
        </div>
      </div>
    </div>
  );
}

function FieldsEditor({
  legend,
  fields,
  onChange,
  errorPrefix,
  errors,
}: {
  legend: string;
  fields: SignatureFieldDto[];
  onChange: (fields: SignatureFieldDto[]) => void;
  errorPrefix: string;
  errors: Record<string, string>;
}) {
  const set = (i: number, patch: Partial<SignatureFieldDto>) =>
    onChange(fields.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  return (
    <fieldset className="schema-fields">
      <legend>{legend}</legend>
      {fields.length === 0 ? <p className="muted">No field.</p> : null}
      {fields.map((f, i) => {
        const label = `${legend} ${i + 1}`;
        const error = Object.entries(errors).find(([k]) =>
          k.startsWith(`${errorPrefix}.${i}`),
        )?.[1];
        return (
          <div className="schema-row" key={i}>
            <input
              aria-label={`${label}: name`}
              placeholder="name"
              value={f.name}
              onChange={(e) => set(i, { name: e.target.value })}
            />
            <select
              aria-label={`${label}: type`}
              value={f.type}
              onChange={(e) => set(i, { type: e.target.value as SignatureFieldDto['type'] })}
            >
              {TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
            <input
              aria-label={`${label}: description`}
              placeholder="description"
              value={f.description ?? ''}
              onChange={(e) => set(i, { description: e.target.value })}
            />
            <label className="check">
              <input
                type="checkbox"
                checked={f.required ?? true}
                onChange={(e) => set(i, { required: e.target.checked })}
              />
              required
            </label>
            <button
              type="button"
              className="button-small"
              aria-label={`Remove ${label}`}
              onClick={() => onChange(fields.filter((_, j) => j !== i))}
            >
              Remove
            </button>
            {error ? <small className="field-error schema-error">{error}</small> : null}
          </div>
        );
      })}
      <button
        type="button"
        className="button-small"
        onClick={() => onChange([...fields, { name: '', type: 'string', required: true }])}
      >
        Add {legend.toLowerCase().replace(/s$/, '')}
      </button>
    </fieldset>
  );
}

function clean(fields: SignatureFieldDto[]): SignatureFieldDto[] {
  return fields.map((f) => ({
    name: f.name.trim(),
    type: f.type,
    ...(f.description?.trim() ? { description: f.description.trim() } : {}),
    required: f.required ?? true,
  }));
}

function SignatureEditor({
  projectId,
  signature,
  onSaved,
}: {
  projectId: number;
  signature: SignatureResponseDto | null;
  onSaved: (s: SignatureResponseDto) => void;
}) {
  const client = useClient();
  const [name, setName] = useState(signature?.name ?? '');
  const [instruction, setInstruction] = useState(signature?.instruction ?? '');
  const [inputs, setInputs] = useState<SignatureFieldDto[]>(
    signature?.input_schema ?? [{ name: '', type: 'string', required: true }],
  );
  const [outputs, setOutputs] = useState<SignatureFieldDto[]>(
    signature?.output_schema ?? [{ name: 'response', type: 'string', required: true }],
  );
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = fieldErrors(error);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = {
        name: name.trim(),
        instruction: instruction.trim() || undefined,
        input_schema: clean(inputs),
        output_schema: clean(outputs),
      };
      const saved = signature
        ? await unwrap(
            updateSignature({
              client,
              path: { id: signature.id },
              body: { ...body, instruction: body.instruction ?? null },
            }),
          )
        : await unwrap(createSignature({ client, body: { project_id: projectId, ...body } }));
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title={signature ? `Edit ${signature.name}` : 'New signature'}>
      <form onSubmit={(e) => void submit(e)}>
        <Field label="Name" error={errors.name}>
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <Field
          label="Instruction"
          hint="What the task is, in a sentence."
          error={errors.instruction}
        >
          {(p) => (
            <textarea
              {...p}
              rows={2}
              value={instruction}
              onChange={(e) => setInstruction(e.target.value)}
            />
          )}
        </Field>
        <FieldsEditor
          legend="Inputs"
          fields={inputs}
          onChange={setInputs}
          errorPrefix="input_schema"
          errors={errors}
        />
        <FieldsEditor
          legend="Outputs"
          fields={outputs}
          onChange={setOutputs}
          errorPrefix="output_schema"
          errors={errors}
        />
        <ErrorNotice error={error} title="Could not save the signature" />
        <button type="submit" className="button-primary" disabled={busy}>
          {signature ? 'Save signature' : 'Create signature'}
        </button>
      </form>
      {signature ? <ValidatePanel signature={signature} /> : null}
    </Section>
  );
}

function ValidatePanel({ signature }: { signature: SignatureResponseDto }) {
  const client = useClient();
  const [text, setText] = useState(() =>
    JSON.stringify(Object.fromEntries(signature.input_schema.map((f) => [f.name, ''])), null, 2),
  );
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const check = async () => {
    setError(null);
    setResult(null);
    try {
      const inputs = JSON.parse(text) as Record<string, unknown>;
      const answer = await unwrap(
        validateSignatureInputs({ client, path: { id: signature.id }, body: { inputs } }),
      );
      setResult(
        answer.valid
          ? 'Valid.'
          : `Invalid: ${answer.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
      );
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div className="subsection">
      <h3 className="subhead">Try inputs against it</h3>
      <Field label="Inputs (JSON)">
        {(p) => (
          <textarea
            {...p}
            rows={4}
            className="mono"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        )}
      </Field>
      <button type="button" onClick={() => void check()}>
        Validate
      </button>
      {result ? (
        <p role="status" className="notice">
          {result}
        </p>
      ) : null}
      <ErrorNotice error={error} title="Could not validate" />
    </div>
  );
}
