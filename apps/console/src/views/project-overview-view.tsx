import { type FormEvent, useState } from 'react';
import { useClient } from '../api/session-context';
import {
  createPrompt,
  fieldErrors,
  getProjectStats,
  listPrompts,
  listSignatures,
  unwrap,
} from '../api/studio';
import { type PromptDraft, PromptFields } from '../components/prompt-fields';
import { DataState, ErrorNotice, Field, Section, Stat, ScrollArea } from '../components/ui';
import { count, when } from '../lib/format';
import { Link, navigate, useTitle } from '../lib/router';
import { useLoad } from '../lib/use-load';
import { useProject } from './project-layout';

export function ProjectOverviewView() {
  const project = useProject();
  useTitle(project.name);
  const client = useClient();
  const stats = useLoad(
    () => unwrap(getProjectStats({ client, path: { id: project.id } })),
    [client, project.id],
  );
  const prompts = useLoad(
    () => unwrap(listPrompts({ client, query: { project_id: project.id, per_page: 100 } })),
    [client, project.id],
  );
  return (
    <div className="page">
      <h1>{project.name}</h1>
      {project.description ? <p className="lead">{project.description}</p> : null}
      <DataState {...stats}>
        {(s) => (
          <div className="stats">
            <Stat
              label="Prompts"
              value={count(s.prompts)}
              hint={`${count(s.prompt_versions)} versions`}
            />
            <Stat
              label="Test cases"
              value={count(s.test_cases)}
              hint={`${count(s.golden_test_cases)} golden`}
            />
            <Stat
              label="Evaluations"
              value={count(s.evaluations)}
              hint={`${count(s.completed_evaluations)} completed`}
            />
            <Stat label="Optimizations" value={count(s.optimizations)} />
            <Stat label="Signatures" value={count(s.signatures)} />
          </div>
        )}
      </DataState>
      <div className="two-col">
        <Section title="Prompts">
          <DataState {...prompts}>
            {(data) =>
              data.items.length === 0 ? (
                <p>No prompt yet.</p>
              ) : (
                <ScrollArea label="Prompts">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Current version</th>
                        <th scope="col">Model</th>
                        <th scope="col">Updated</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.items.map((p) => (
                        <tr key={p.id}>
                          <td>
                            <Link to={`/projects/${project.id}/prompts/${p.id}`}>{p.name}</Link>
                          </td>
                          <td>v{p.current_version.version_number}</td>
                          <td>
                            {p.current_version.model_config
                              ? `${p.current_version.model_config.provider}/${p.current_version.model_config.model}`
                              : '—'}
                          </td>
                          <td>{when(p.updated_at)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </ScrollArea>
              )
            }
          </DataState>
        </Section>
        <CreatePrompt projectId={project.id} />
      </div>
    </div>
  );
}

function CreatePrompt({ projectId }: { projectId: number }) {
  const client = useClient();
  const signatures = useLoad(
    () => unwrap(listSignatures({ client, query: { project_id: projectId, per_page: 100 } })),
    [client, projectId],
  );
  const [name, setName] = useState('');
  const [signatureId, setSignatureId] = useState('');
  const [draft, setDraft] = useState<PromptDraft>({
    system_prompt: '',
    user_prompt: '',
    few_shot_examples: [],
    model_config: null,
  });
  const [examplesError, setExamplesError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fields = fieldErrors(error);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (examplesError) return;
    setBusy(true);
    setError(null);
    try {
      const prompt = await unwrap(
        createPrompt({
          client,
          body: {
            project_id: projectId,
            name: name.trim(),
            ...(signatureId ? { signature_id: Number(signatureId) } : {}),
            ...(draft.system_prompt ? { system_prompt: draft.system_prompt } : {}),
            user_prompt: draft.user_prompt,
            few_shot_examples: draft.few_shot_examples,
            ...(draft.model_config ? { model_config: draft.model_config } : {}),
          },
        }),
      );
      navigate(`/projects/${projectId}/prompts/${prompt.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <Section title="New prompt">
      <form onSubmit={(e) => void submit(e)}>
        <Field label="Name" error={fields.name}>
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <Field
          label="Signature"
          hint="Typed inputs and outputs; optional."
          error={fields.signature_id}
        >
          {(p) => (
            <select {...p} value={signatureId} onChange={(e) => setSignatureId(e.target.value)}>
              <option value="">None</option>
              {signatures.data?.items.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <PromptFields
          draft={draft}
          onChange={setDraft}
          errors={fields}
          onExamplesError={setExamplesError}
        />
        <ErrorNotice error={error} title="Could not create the prompt" />
        <button type="submit" className="button-primary" disabled={busy || Boolean(examplesError)}>
          Create prompt
        </button>
      </form>
    </Section>
  );
}
