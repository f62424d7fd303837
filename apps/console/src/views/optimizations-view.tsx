import { type FormEvent, useState } from 'react';
import { useStrategies } from '../api/catalogs';
import { useClient, useLiveEvents } from '../api/session-context';
import {
  type BudgetDto,
  type CreateOptimizationDto,
  createOptimization,
  estimateOptimization,
  fieldErrors,
  listOptimizations,
  listPrompts,
  type MetricSpecDto,
  type ModelConfigDto,
  type OptimizationEstimateDto,
  type ParameterSpecDto,
  type StrategyDto,
  unwrap,
} from '../api/studio';
import { MetricPicker } from '../components/metric-picker';
import { ModelConfigEditor } from '../components/model-config-editor';
import {
  DataState,
  ErrorNotice,
  Field,
  ProgressBar,
  Section,
  Stat,
  StatusBadge,
  ScrollArea,
  NumberField,
  PassThresholdField,
} from '../components/ui';
import { count, signed, usd, when } from '../lib/format';
import { Link, navigate, useLocation, useTitle } from '../lib/router';
import { useLoad } from '../lib/use-load';
import { useProject } from './project-layout';

export function OptimizationsView() {
  const project = useProject();
  useTitle(`Optimizations · ${project.name}`);
  const client = useClient();
  const runs = useLoad(
    () => unwrap(listOptimizations({ client, query: { project_id: project.id, per_page: 50 } })),
    [client, project.id],
  );
  const prompts = useLoad(
    () => unwrap(listPrompts({ client, query: { project_id: project.id, per_page: 100 } })),
    [client, project.id],
  );
  useLiveEvents({ entity_type: 'project', entity_id: project.id }, (event) => {
    if (!runs.data) return;
    if (event.type === 'optimization_iteration') {
      const items = runs.data.items.map((o) =>
        o.id === event.data.optimization_id
          ? { ...o, status: 'running' as const, iterations_completed: event.data.iteration }
          : o,
      );
      runs.set({ ...runs.data, items });
    } else if (event.type === 'optimization_completed' || event.type === 'optimization_started') {
      runs.reload();
    }
  });
  return (
    <div className="page">
      <h1>Optimizations</h1>
      <div className="two-col wide-right">
        <Section title="Runs">
          <DataState {...runs}>
            {(data) =>
              data.items.length === 0 ? (
                <p>No optimization yet.</p>
              ) : (
                <ScrollArea label="Optimization runs">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Run</th>
                        <th scope="col">Strategy</th>
                        <th scope="col">Status</th>
                        <th scope="col">Gain</th>
                        <th scope="col">Created</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.items.map((o) => (
                        <tr key={o.id}>
                          <th scope="row">
                            <Link to={`/projects/${project.id}/optimizations/${o.id}`}>
                              #{o.id}
                              {o.name ? ` ${o.name}` : ''}
                            </Link>
                          </th>
                          <td>{o.strategy}</td>
                          <td>
                            <StatusBadge status={o.status} />
                            {o.status === 'running' || o.status === 'pending' ? (
                              <ProgressBar
                                value={o.progress}
                                label={`Optimization ${o.id} budget spent`}
                              />
                            ) : null}
                          </td>
                          <td>
                            {o.improvement
                              ? `${signed(o.improvement.delta)}${o.improvement.improved ? '' : ' (n.s.)'}`
                              : '—'}
                          </td>
                          <td>{when(o.created_at)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </ScrollArea>
              )
            }
          </DataState>
        </Section>
        <StartOptimization projectId={project.id} prompts={prompts.data?.items ?? []} />
      </div>
    </div>
  );
}

/** One strategy parameter as a form control of its type, empty meaning the default. */
function ParameterInput({
  spec,
  value,
  onChange,
  error,
}: {
  spec: ParameterSpecDto;
  value: string | boolean | undefined;
  onChange: (value: string | boolean | undefined) => void;
  error?: string;
}) {
  const def = spec.default;
  const range =
    spec.minimum !== undefined || spec.maximum !== undefined
      ? ` Range ${spec.minimum ?? '…'} to ${spec.maximum ?? '…'}.`
      : '';
  const hint = `${spec.description}${range}`;
  if (spec.type === 'boolean') {
    return (
      <label className="check" title={spec.description}>
        <input
          type="checkbox"
          checked={typeof value === 'boolean' ? value : def === true}
          onChange={(e) => onChange(e.target.checked)}
        />
        {spec.name}
      </label>
    );
  }
  return (
    <Field label={spec.name} hint={hint} error={error}>
      {(p) =>
        spec.type === 'enum' ? (
          <select
            {...p}
            value={typeof value === 'string' ? value : String(def ?? '')}
            onChange={(e) => onChange(e.target.value)}
          >
            {(spec.values ?? []).map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        ) : (
          <input
            {...p}
            type={spec.type === 'integer' || spec.type === 'number' ? 'number' : 'text'}
            step={spec.type === 'integer' ? 1 : 'any'}
            min={spec.type === 'array' ? undefined : spec.minimum}
            max={spec.type === 'array' ? undefined : spec.maximum}
            placeholder={
              def === null
                ? 'default: none'
                : `default: ${Array.isArray(def) ? def.join(', ') : String(def)}`
            }
            value={typeof value === 'string' ? value : ''}
            onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
          />
        )
      }
    </Field>
  );
}

/** Form values to the strategy_params the API expects (only what was set). */
function strategyParams(
  strategy: StrategyDto | undefined,
  values: Record<string, string | boolean | undefined>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of strategy?.parameters ?? []) {
    const value = values[spec.name];
    if (value === undefined) continue;
    if (typeof value === 'boolean') out[spec.name] = value;
    else if (spec.type === 'integer' || spec.type === 'number') out[spec.name] = Number(value);
    else if (spec.type === 'array') {
      const items = value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
      const numeric =
        Array.isArray(spec.default) && spec.default.every((d) => typeof d === 'number');
      out[spec.name] =
        numeric || (/range$/.test(spec.name) && items.every((i) => !Number.isNaN(Number(i))))
          ? items.map(Number)
          : items;
    } else out[spec.name] = value;
  }
  return out;
}

const BUDGET_FIELDS: Array<[keyof BudgetDto, string]> = [
  ['max_llm_calls', 'Model calls'],
  ['max_tokens', 'Tokens'],
  ['max_usd', 'US dollars'],
  ['max_iterations', 'Iterations'],
  ['max_duration_s', 'Seconds'],
];

function StartOptimization({
  projectId,
  prompts,
}: {
  projectId: number;
  prompts: Array<{ id: number; name: string }>;
}) {
  const client = useClient();
  const strategies = useStrategies();
  const { query } = useLocation();
  const [promptId, setPromptId] = useState(query.get('prompt') ?? '');
  const chosenPrompt = promptId || String(prompts[0]?.id ?? '');
  const [strategyName, setStrategyName] = useState('');
  const enabled = strategies.data?.filter((s) => s.enabled) ?? [];
  const strategy =
    strategies.data?.find((s) => s.name === strategyName) ??
    enabled.find((s) => s.name === 'iterative') ??
    enabled[0];
  const [params, setParams] = useState<Record<string, string | boolean | undefined>>({});
  const [budget, setBudget] = useState<Record<string, string>>({});
  const [metrics, setMetrics] = useState<MetricSpecDto[]>([{ name: 'exact_match' }]);
  const [model, setModel] = useState<ModelConfigDto | null>(null);
  const [proposer, setProposer] = useState<ModelConfigDto | null>(null);
  const [modelsToTest, setModelsToTest] = useState<ModelConfigDto[]>([]);
  const [seed, setSeed] = useState('');
  const [threshold, setThreshold] = useState('');
  const [autoPromote, setAutoPromote] = useState(false);
  const [name, setName] = useState('');
  const [estimate, setEstimate] = useState<{ key: string; value: OptimizationEstimateDto } | null>(
    null,
  );
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = fieldErrors(error);

  const body: CreateOptimizationDto = {
    prompt_id: Number(chosenPrompt),
    strategy: strategy?.name ?? '',
    strategy_params: strategyParams(strategy, params),
    metrics,
    ...(model ? { model_config: model } : {}),
    ...(proposer ? { proposer_model_config: proposer } : {}),
    ...(strategy?.name === 'hyperparameter' && modelsToTest.length
      ? { models_to_test: modelsToTest }
      : {}),
    ...(Object.values(budget).some((v) => v !== '')
      ? {
          budget: Object.fromEntries(
            Object.entries(budget)
              .filter(([, v]) => v !== '')
              .map(([k, v]) => [k, Number(v)]),
          ),
        }
      : {}),
    ...(seed ? { seed: Number(seed) } : {}),
    ...(threshold ? { pass_threshold: Number(threshold) } : {}),
    ...(autoPromote ? { auto_promote: true } : {}),
    ...(name.trim() ? { name: name.trim() } : {}),
  };
  const key = JSON.stringify(body);
  const current = estimate?.key === key ? estimate.value : null;

  const runEstimate = async () => {
    setBusy(true);
    setError(null);
    try {
      const { name: _name, auto_promote: _auto, ...rest } = body;
      setEstimate({ key, value: await unwrap(estimateOptimization({ client, body: rest })) });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const start = async (event: FormEvent) => {
    event.preventDefault();
    if (!current) return void runEstimate();
    setBusy(true);
    setError(null);
    try {
      const created = await unwrap(createOptimization({ client, body }));
      navigate(`/projects/${projectId}/optimizations/${created.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  if (prompts.length === 0) {
    return (
      <Section title="Start an optimization">
        <p>
          Create a <Link to={`/projects/${projectId}`}>prompt</Link> first.
        </p>
      </Section>
    );
  }
  return (
    <Section title="Start an optimization">
      <DataState {...strategies}>
        {(list) => (
          <form onSubmit={(e) => void start(e)}>
            <div className="grid-fields">
              <Field label="Prompt" error={errors.prompt_id}>
                {(p) => (
                  <select {...p} value={chosenPrompt} onChange={(e) => setPromptId(e.target.value)}>
                    {prompts.map((x) => (
                      <option key={x.id} value={x.id}>
                        {x.name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Strategy" error={errors.strategy}>
                {(p) => (
                  <select
                    {...p}
                    value={strategy?.name ?? ''}
                    onChange={(e) => {
                      setStrategyName(e.target.value);
                      setParams({});
                    }}
                  >
                    {list.map((s) => (
                      <option key={s.name} value={s.name} disabled={!s.enabled}>
                        {s.name}
                        {s.enabled ? '' : ' (disabled on this server)'}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
            {strategy ? <p className="muted small">{strategy.description}</p> : null}
            {list
              .filter((s) => !s.enabled && s.enable_hint)
              .map((s) => (
                <p key={s.name} className="muted small">
                  {s.name}: {s.enable_hint}
                </p>
              ))}
            {strategy ? (
              <fieldset>
                <legend>{strategy.name} parameters</legend>
                <div className="grid-fields">
                  {strategy.parameters.map((spec) => (
                    <ParameterInput
                      key={`${strategy.name}-${spec.name}`}
                      spec={spec}
                      value={params[spec.name]}
                      error={errors[`strategy_params.${spec.name}`]}
                      onChange={(v) => setParams({ ...params, [spec.name]: v })}
                    />
                  ))}
                </div>
              </fieldset>
            ) : null}
            <fieldset>
              <legend>Budget</legend>
              <div className="grid-fields">
                {BUDGET_FIELDS.map(([k, label]) => (
                  <NumberField
                    key={k}
                    label={label}
                    error={errors[`budget.${k}`]}
                    hint={
                      k === 'max_llm_calls' && strategy
                        ? `Default ${strategy.default_max_llm_calls} when no limit is set.`
                        : undefined
                    }
                    min={0}
                    step="any"
                    value={budget[k] ?? ''}
                    onChange={(v) => setBudget({ ...budget, [k]: v })}
                  />
                ))}
              </div>
            </fieldset>
            <MetricPicker value={metrics} onChange={setMetrics} />
            <ModelConfigEditor
              value={model}
              onChange={setModel}
              allowDefault="The version's model"
              legend="Task model"
            />
            <ModelConfigEditor
              value={proposer}
              onChange={setProposer}
              allowDefault="The task model"
              legend="Proposer model"
            />
            {strategy?.name === 'hyperparameter' ? (
              <fieldset>
                <legend>Models to test</legend>
                {modelsToTest.map((m, i) => (
                  <div key={i} className="model-to-test">
                    <ModelConfigEditor
                      value={m}
                      legend={`Model ${i + 1}`}
                      onChange={(v) =>
                        setModelsToTest(
                          v
                            ? modelsToTest.map((x, j) => (j === i ? v : x))
                            : modelsToTest.filter((_, j) => j !== i),
                        )
                      }
                    />
                    <button
                      type="button"
                      className="button-small"
                      onClick={() => setModelsToTest(modelsToTest.filter((_, j) => j !== i))}
                    >
                      Remove model {i + 1}
                    </button>
                  </div>
                ))}
                <button
                  type="button"
                  className="button-small"
                  onClick={() =>
                    setModelsToTest([
                      ...modelsToTest,
                      { provider: 'mock', model: 'mock-echo', parameters: {} },
                    ])
                  }
                >
                  Add a model
                </button>
              </fieldset>
            ) : null}
            <div className="grid-fields">
              <NumberField label="Seed" error={errors.seed} value={seed} onChange={setSeed} />
              <PassThresholdField
                error={errors.pass_threshold}
                placeholder="0.5"
                value={threshold}
                onChange={setThreshold}
              />
              <Field label="Name (optional)" error={errors.name}>
                {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
              </Field>
            </div>
            <label className="check">
              <input
                type="checkbox"
                checked={autoPromote}
                onChange={(e) => setAutoPromote(e.target.checked)}
              />
              Make the winner the current version when the gain is significant
            </label>
            <ErrorNotice error={error} title="Could not start" />
            <div aria-live="polite">{current ? <EstimateBox estimate={current} /> : null}</div>
            <div className="actions-row">
              <button type="button" disabled={busy} onClick={() => void runEstimate()}>
                Estimate cost
              </button>
              <button type="submit" className="button-primary" disabled={busy || !current}>
                Start optimization
              </button>
              {!current ? (
                <span className="muted small">
                  Estimate first: the cost is shown before anything runs.
                </span>
              ) : null}
            </div>
          </form>
        )}
      </DataState>
    </Section>
  );
}

function EstimateBox({ estimate: e }: { estimate: OptimizationEstimateDto }) {
  return (
    <div className="estimate" data-testid="estimate">
      <h3 className="subhead">Estimate ({e.strategy})</h3>
      <div className="stats">
        <Stat
          label="Expected calls"
          value={count(e.expected.llm_calls)}
          hint={`at most ${count(e.maximum.llm_calls)}`}
        />
        <Stat
          label="Expected tokens"
          value={count(e.expected.tokens)}
          hint={`at most ${count(e.maximum.tokens)}`}
        />
        <Stat
          label="Expected cost"
          value={usd(e.expected.usd)}
          hint={`at most ${usd(e.maximum.usd)}`}
        />
        <Stat
          label="Cases"
          value={`${e.train_cases} train`}
          hint={`${e.validation_cases} validation`}
        />
      </div>
      <p className="small muted">
        Budget:{' '}
        {Object.entries(e.budget)
          .filter(([, v]) => v !== undefined && v !== null)
          .map(([k, v]) => `${k} ${String(v)}`)
          .join(', ')}
        . The winner is chosen on the validation cases, which the strategy never learns from.
      </p>
    </div>
  );
}
