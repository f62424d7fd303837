import { type FormEvent, useState } from 'react';
import { useClient, useLiveEvents } from '../api/session-context';
import {
  createEvaluation,
  fieldErrors,
  listEvaluations,
  listPrompts,
  listPromptVersions,
  type MetricSpecDto,
  type ModelConfigDto,
  unwrap,
} from '../api/studio';
import { MetricPicker } from '../components/metric-picker';
import { ModelConfigEditor } from '../components/model-config-editor';
import {
  DataState,
  ErrorNotice,
  Field,
  Pager,
  ProgressBar,
  Section,
  StatusBadge,
  ScrollArea,
  NumberField,
  PassThresholdField,
} from '../components/ui';
import { percent, score, when } from '../lib/format';
import { Link, navigate, useLocation, useTitle } from '../lib/router';
import { useLoad } from '../lib/use-load';
import { useProject } from './project-layout';

const PER_PAGE = 20;

export function EvaluationsView() {
  const project = useProject();
  useTitle(`Evaluations · ${project.name}`);
  const client = useClient();
  const [page, setPage] = useState(1);
  const evaluations = useLoad(
    () =>
      unwrap(
        listEvaluations({ client, query: { project_id: project.id, page, per_page: PER_PAGE } }),
      ),
    [client, project.id, page],
  );
  const prompts = useLoad(
    () => unwrap(listPrompts({ client, query: { project_id: project.id, per_page: 100 } })),
    [client, project.id],
  );
  // Progress in the list comes from the events; a run that ends is read again.
  useLiveEvents({ entity_type: 'project', entity_id: project.id }, (event) => {
    if (!evaluations.data) return;
    if (event.type === 'evaluation_progress') {
      const items = evaluations.data.items.map((e) =>
        e.id === event.data.evaluation_id
          ? { ...e, status: 'running' as const, progress: event.data.progress }
          : e,
      );
      evaluations.set({ ...evaluations.data, items });
    } else if (event.type === 'evaluation_completed' || event.type === 'evaluation_started') {
      evaluations.reload();
    }
  });
  const promptName = (id: number) =>
    prompts.data?.items.find((p) => p.id === id)?.name ?? `Prompt ${id}`;

  return (
    <div className="page">
      <h1>Evaluations</h1>
      <div className="two-col wide-left">
        <Section title="Runs">
          <DataState {...evaluations}>
            {(data) =>
              data.items.length === 0 ? (
                <p>No evaluation yet.</p>
              ) : (
                <>
                  <ScrollArea label="Evaluation runs">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">Run</th>
                          <th scope="col">Prompt</th>
                          <th scope="col">Status</th>
                          <th scope="col">Pass rate</th>
                          <th scope="col">Mean score</th>
                          <th scope="col">Created</th>
                        </tr>
                      </thead>
                      <tbody>
                        {data.items.map((e) => (
                          <tr key={e.id}>
                            <th scope="row">
                              <Link to={`/projects/${project.id}/evaluations/${e.id}`}>
                                #{e.id}
                                {e.name ? ` ${e.name}` : ''}
                              </Link>
                            </th>
                            <td>
                              {promptName(e.prompt_id)} v{e.version_number}
                            </td>
                            <td>
                              <StatusBadge status={e.status} />
                              {e.status === 'running' || e.status === 'pending' ? (
                                <ProgressBar
                                  value={e.progress}
                                  label={`Evaluation ${e.id} progress`}
                                />
                              ) : null}
                            </td>
                            <td>{percent(e.summary?.pass_rate)}</td>
                            <td>{score(e.summary?.score.mean)}</td>
                            <td>{when(e.created_at)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </ScrollArea>
                  <Pager
                    page={page}
                    perPage={PER_PAGE}
                    total={data.total}
                    onPage={setPage}
                    label="Evaluation pages"
                  />
                </>
              )
            }
          </DataState>
        </Section>
        <StartEvaluation projectId={project.id} prompts={prompts.data?.items ?? []} />
      </div>
    </div>
  );
}

function StartEvaluation({
  projectId,
  prompts,
}: {
  projectId: number;
  prompts: Array<{ id: number; name: string }>;
}) {
  const client = useClient();
  const { query } = useLocation();
  const [promptId, setPromptId] = useState(query.get('prompt') ?? '');
  const chosenPrompt = promptId || (prompts[0] ? String(prompts[0].id) : '');
  const versions = useLoad(
    () =>
      chosenPrompt
        ? unwrap(
            listPromptVersions({
              client,
              path: { id: Number(chosenPrompt) },
              query: { per_page: 100, order: 'desc' },
            }),
          )
        : Promise.resolve(null),
    [client, chosenPrompt],
  );
  const [version, setVersion] = useState('');
  const [model, setModel] = useState<ModelConfigDto | null>(null);
  const [metrics, setMetrics] = useState<MetricSpecDto[]>([{ name: 'exact_match' }]);
  const [threshold, setThreshold] = useState('0.5');
  const [concurrency, setConcurrency] = useState('4');
  const [repeats, setRepeats] = useState('1');
  const [goldenOnly, setGoldenOnly] = useState(false);
  const [tags, setTags] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = fieldErrors(error);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const tagList = tags
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const created = await unwrap(
        createEvaluation({
          client,
          body: {
            prompt_id: Number(chosenPrompt),
            ...(version ? { version: Number(version) } : {}),
            ...(model ? { model_config: model } : {}),
            metrics,
            pass_threshold: Number(threshold),
            concurrency: Number(concurrency),
            repeats: Number(repeats),
            ...(goldenOnly ? { golden_only: true } : {}),
            ...(tagList.length ? { tags: tagList } : {}),
            ...(name.trim() ? { name: name.trim() } : {}),
          },
        }),
      );
      navigate(`/projects/${projectId}/evaluations/${created.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <Section title="Start an evaluation">
      {prompts.length === 0 ? (
        <p>
          Create a <Link to={`/projects/${projectId}`}>prompt</Link> first.
        </p>
      ) : (
        <form onSubmit={(e) => void submit(e)}>
          <div className="grid-fields">
            <Field label="Prompt" error={errors.prompt_id}>
              {(p) => (
                <select
                  {...p}
                  value={chosenPrompt}
                  onChange={(e) => {
                    setPromptId(e.target.value);
                    setVersion('');
                  }}
                >
                  {prompts.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Version" error={errors.version}>
              {(p) => (
                <select {...p} value={version} onChange={(e) => setVersion(e.target.value)}>
                  <option value="">Current</option>
                  {versions.data?.items.map((v) => (
                    <option key={v.id} value={v.version_number}>
                      v{v.version_number}
                      {v.change_description ? ` — ${v.change_description.slice(0, 40)}` : ''}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <ModelConfigEditor value={model} onChange={setModel} allowDefault="The version's model" />
          <MetricPicker value={metrics} onChange={setMetrics} />
          <div className="grid-fields">
            <PassThresholdField
              error={errors.pass_threshold}
              value={threshold}
              onChange={setThreshold}
            />
            <NumberField
              label="Concurrency"
              error={errors.concurrency}
              min={1}
              value={concurrency}
              onChange={setConcurrency}
            />
            <NumberField
              label="Repeats"
              error={errors.repeats}
              min={1}
              value={repeats}
              onChange={setRepeats}
            />
          </div>
          <Field label="Only cases tagged (any of)" error={errors.tags}>
            {(p) => <input {...p} value={tags} onChange={(e) => setTags(e.target.value)} />}
          </Field>
          <label className="check">
            <input
              type="checkbox"
              checked={goldenOnly}
              onChange={(e) => setGoldenOnly(e.target.checked)}
            />
            Golden cases only
          </label>
          <Field label="Name (optional)" error={errors.name}>
            {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <ErrorNotice error={error} title="Could not start the evaluation" />
          <button type="submit" className="button-primary" disabled={busy || metrics.length === 0}>
            Start evaluation
          </button>
        </form>
      )}
    </Section>
  );
}
