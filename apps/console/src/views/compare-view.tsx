import { type FormEvent, useState } from 'react';
import { useClient, useLiveEvents } from '../api/session-context';
import { useTestCaseIndex } from '../api/test-case-index';
import {
  type Client,
  compareEvaluations,
  type ComparisonResponseDto,
  type EvaluationResultDto,
  listEvaluationResults,
  listEvaluations,
  listPrompts,
  listPromptVersions,
  type MetricSpecDto,
  type PairedComparisonDto,
  unwrap,
} from '../api/studio';
import { DiffView } from '../components/diff-view';
import { MetricPicker } from '../components/metric-picker';
import { ReportDownloads } from '../components/report-downloads';
import { DataState, ErrorNotice, Field, Section, ScrollArea } from '../components/ui';
import { percent, score, signed } from '../lib/format';
import { navigate, useLocation, useTitle } from '../lib/router';
import { useLoad } from '../lib/use-load';
import { useProject } from './project-layout';

/** Results of a run by `<test_case_id>:<repeat_index>` (the comparison's case key). */
async function resultsByKey(client: Client, id: number): Promise<Map<string, EvaluationResultDto>> {
  const out = new Map<string, EvaluationResultDto>();
  for (let page = 1; page <= 10; page++) {
    const data = await unwrap(
      listEvaluationResults({ client, path: { id }, query: { page, per_page: 100 } }),
    );
    for (const r of data.items) out.set(`${r.test_case_id}:${r.repeat_index}`, r);
    if (out.size >= data.total || data.items.length === 0) break;
  }
  return out;
}

export function CompareView() {
  const project = useProject();
  useTitle(`Compare · ${project.name}`);
  const { query } = useLocation();
  const a = Number(query.get('a')) || null;
  const b = Number(query.get('b')) || null;
  const [mode, setMode] = useState<'evaluations' | 'versions'>(
    query.get('mode') === 'versions' ? 'versions' : 'evaluations',
  );
  return (
    <div className="page">
      <h1>Compare</h1>
      <Section title="What to compare">
        <fieldset className="segmented">
          <legend>Compare</legend>
          <label>
            <input
              type="radio"
              name="mode"
              checked={mode === 'evaluations'}
              onChange={() => setMode('evaluations')}
            />
            Two evaluations
          </label>
          <label>
            <input
              type="radio"
              name="mode"
              checked={mode === 'versions'}
              onChange={() => setMode('versions')}
            />
            Two prompt versions
          </label>
        </fieldset>
        {mode === 'evaluations' ? (
          <PickEvaluations projectId={project.id} a={a} b={b} />
        ) : (
          <PickVersions projectId={project.id} />
        )}
      </Section>
      {a && b ? <Comparison key={`${a}-${b}`} a={a} b={b} projectId={project.id} /> : null}
    </div>
  );
}

function PickEvaluations({
  projectId,
  a,
  b,
}: {
  projectId: number;
  a: number | null;
  b: number | null;
}) {
  const client = useClient();
  const runs = useLoad(
    () =>
      unwrap(
        listEvaluations({
          client,
          query: { project_id: projectId, status: 'completed', per_page: 100 },
        }),
      ),
    [client, projectId],
  );
  const [first, setFirst] = useState(a ? String(a) : '');
  const [second, setSecond] = useState(b ? String(b) : '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(`/projects/${projectId}/compare?a=${first}&b=${second}`);
  };
  const options = runs.data?.items ?? [];
  return (
    <DataState {...runs}>
      {() =>
        options.length < 2 ? (
          <p>Two completed evaluations are needed; compare two versions instead to run them.</p>
        ) : (
          <form onSubmit={submit} className="grid-fields">
            {(
              [
                ['Evaluation A (baseline)', first, setFirst],
                ['Evaluation B', second, setSecond],
              ] as const
            ).map(([label, value, set]) => (
              <Field key={label} label={label}>
                {(p) => (
                  <select {...p} value={value} onChange={(e) => set(e.target.value)} required>
                    <option value="">Choose a run</option>
                    {options.map((e) => (
                      <option key={e.id} value={e.id}>
                        #{e.id} v{e.version_number} · pass {percent(e.summary?.pass_rate, 0)}
                        {e.name ? ` · ${e.name}` : ''}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            ))}
            <div className="field field-button">
              <button
                type="submit"
                className="button-primary"
                disabled={!first || !second || first === second}
              >
                Compare
              </button>
            </div>
          </form>
        )
      }
    </DataState>
  );
}

/**
 * Two versions of a prompt: POST /evaluations/compare with version_ids starts one evaluation
 * of each; the comparison appears when both have finished (followed live).
 */
function PickVersions({ projectId }: { projectId: number }) {
  const client = useClient();
  const prompts = useLoad(
    () => unwrap(listPrompts({ client, query: { project_id: projectId, per_page: 100 } })),
    [client, projectId],
  );
  const [promptId, setPromptId] = useState('');
  const chosen = promptId || String(prompts.data?.items[0]?.id ?? '');
  const versions = useLoad(
    () =>
      chosen
        ? unwrap(
            listPromptVersions({
              client,
              path: { id: Number(chosen) },
              query: { per_page: 100, order: 'desc' },
            }),
          )
        : Promise.resolve(null),
    [client, chosen],
  );
  const items = versions.data?.items ?? [];
  // Until chosen: the previous version (A) against the newest (B).
  const [chosenA, setVa] = useState('');
  const [chosenB, setVb] = useState('');
  const va = chosenA || (items[1] ? String(items[1].id) : '');
  const vb = chosenB || (items[0] ? String(items[0].id) : '');
  const [metrics, setMetrics] = useState<MetricSpecDto[]>([{ name: 'exact_match' }]);
  const [running, setRunning] = useState<number[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const finish = (answer: ComparisonResponseDto) => {
    const [x, y] = answer.evaluation_ids;
    if (answer.status === 'completed') {
      setRunning(null);
      navigate(`/projects/${projectId}/compare?a=${x}&b=${y}`);
    } else setRunning(answer.evaluation_ids);
  };
  // While the two runs go, their completion events say when to ask for the comparison.
  useLiveEvents({ entity_type: 'project', entity_id: projectId }, (event) => {
    if (!running || event.type !== 'evaluation_completed') return;
    if (!running.includes(event.data.evaluation_id)) return;
    void unwrap(
      compareEvaluations({ client, body: { evaluation_ids: [running[0], running[1]] } }),
    ).then(finish, (err: unknown) => {
      // One of the two is still running (409): the other's event comes later.
      if (!(err instanceof Error && /completed/.test(err.message))) setError(err);
    });
  });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      finish(
        await unwrap(
          compareEvaluations({ client, body: { version_ids: [Number(va), Number(vb)], metrics } }),
        ),
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)}>
      <div className="grid-fields">
        <Field label="Prompt">
          {(p) => (
            <select
              {...p}
              value={chosen}
              onChange={(e) => {
                setPromptId(e.target.value);
                setVa('');
                setVb('');
              }}
            >
              {prompts.data?.items.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        {(
          [
            ['Version A (baseline)', va, setVa],
            ['Version B', vb, setVb],
          ] as const
        ).map(([label, value, set]) => (
          <Field key={label} label={label}>
            {(p) => (
              <select {...p} value={value} onChange={(e) => set(e.target.value)} required>
                <option value="">Choose a version</option>
                {items.map((v) => (
                  <option key={v.id} value={v.id}>
                    v{v.version_number}
                    {v.change_description ? ` — ${v.change_description.slice(0, 40)}` : ''}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ))}
      </div>
      <MetricPicker value={metrics} onChange={setMetrics} />
      <ErrorNotice error={error} title="Could not compare" />
      {running ? (
        <p role="status">
          Running evaluations #{running[0]} and #{running[1]}; the comparison appears when both
          finish.
        </p>
      ) : null}
      <button
        type="submit"
        className="button-primary"
        disabled={busy || running !== null || !va || !vb || va === vb}
      >
        {busy ? 'Running both versions…' : 'Run and compare'}
      </button>
    </form>
  );
}

function Verdict({ c }: { c: PairedComparisonDto }) {
  return (
    <div
      className={`verdict ${c.verdict.significant ? (c.verdict.better === 'b' ? 'verdict-better' : 'verdict-worse') : 'verdict-none'}`}
      data-testid="verdict"
      role="status"
    >
      <strong>
        {c.verdict.significant
          ? c.verdict.better === 'b'
            ? 'B is better'
            : 'A is better'
          : 'No significant difference'}
      </strong>
      <p>{c.verdict.text}</p>
    </div>
  );
}

function Comparison({ a, b, projectId }: { a: number; b: number; projectId: number }) {
  const client = useClient();
  const comparison = useLoad(
    () => unwrap(compareEvaluations({ client, body: { evaluation_ids: [a, b] } })),
    [client, a, b],
  );
  const results = useLoad(async () => {
    const [ra, rb] = await Promise.all([resultsByKey(client, a), resultsByKey(client, b)]);
    return { ra, rb };
  }, [client, a, b]);
  const cases = useTestCaseIndex(projectId);
  return (
    <DataState {...comparison}>
      {(answer) => {
        const c = answer.comparison;
        if (!c) return <p role="status">The runs have not finished yet.</p>;
        return (
          <>
            <Section title={`Evaluation #${a} (A) against #${b} (B)`}>
              <Verdict c={c} />
              <ScrollArea label="Paired statistics">
                <table className="stats-table">
                  <caption className="sr-only">Paired statistics</caption>
                  <tbody>
                    <tr>
                      <th scope="row">Cases scored in both</th>
                      <td>{c.shared}</td>
                    </tr>
                    <tr>
                      <th scope="row">Mean score A / B</th>
                      <td>
                        {score(c.mean_a)} / {score(c.mean_b)}
                      </td>
                    </tr>
                    <tr>
                      <th scope="row">Difference B − A</th>
                      <td>
                        {signed(c.delta)}
                        {c.ci95
                          ? ` (95% paired bootstrap interval ${signed(c.ci95[0])} to ${signed(c.ci95[1])})`
                          : ''}
                      </td>
                    </tr>
                    <tr>
                      <th scope="row">B wins / ties / losses</th>
                      <td>
                        {c.wins} / {c.ties} / {c.losses}
                      </td>
                    </tr>
                    <tr>
                      <th scope="row">McNemar on pass/fail</th>
                      <td>
                        A passes only: {c.mcnemar.b}, B passes only: {c.mcnemar.c}; p ={' '}
                        {c.mcnemar.p_value.toFixed(4)} ({c.mcnemar.method.replace('_', ' ')})
                      </td>
                    </tr>
                  </tbody>
                </table>
              </ScrollArea>
              {Object.keys(c.metrics).length ? (
                <ScrollArea label="Per-metric differences">
                  <table>
                    <caption>Per metric</caption>
                    <thead>
                      <tr>
                        <th scope="col">Metric</th>
                        <th scope="col">A</th>
                        <th scope="col">B</th>
                        <th scope="col">B − A</th>
                      </tr>
                    </thead>
                    <tbody>
                      {Object.entries(c.metrics).map(([name, m]) => (
                        <tr key={name}>
                          <th scope="row">{name}</th>
                          <td>{score(m.mean_a)}</td>
                          <td>{score(m.mean_b)}</td>
                          <td>{signed(m.delta)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </ScrollArea>
              ) : null}
              <ReportDownloads evaluationId={a} compareTo={b} />
            </Section>
            <Section title="Per case, largest difference first">
              <DataState {...results}>
                {({ ra, rb }) => (
                  <ScrollArea label="Per-case differences">
                    <table className="results">
                      <thead>
                        <tr>
                          <th scope="col">Case</th>
                          <th scope="col">A</th>
                          <th scope="col">B</th>
                          <th scope="col">Output A → B</th>
                        </tr>
                      </thead>
                      <tbody>
                        {c.cases.slice(0, 100).map((d) => {
                          const x = ra.get(d.key);
                          const y = rb.get(d.key);
                          const caseId = Number(d.key.split(':')[0]);
                          return (
                            <tr key={d.key}>
                              <th scope="row">
                                {cases.data?.get(caseId)?.name ?? `case ${caseId}`}
                                <div className="small">{signed(d.delta)}</div>
                              </th>
                              <td>{score(d.a)}</td>
                              <td>{score(d.b)}</td>
                              <td className="cell-text">
                                <DiffView
                                  before={x?.output ?? ''}
                                  after={y?.output ?? ''}
                                  label="Output"
                                  showSame
                                />
                              </td>
                            </tr>
                          );
                        })}
                      </tbody>
                    </table>
                  </ScrollArea>
                )}
              </DataState>
            </Section>
          </>
        );
      }}
    </DataState>
  );
}
