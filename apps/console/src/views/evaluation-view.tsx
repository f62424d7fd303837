import { useReducer, useState } from 'react';
import type { StudioEvent } from '../api/events';
import { useClient, useLiveEvents, useSession } from '../api/session-context';
import { useTestCaseIndex } from '../api/test-case-index';
import {
  cancelEvaluation,
  type EvaluationResponseDto,
  type EvaluationResultDto,
  getEvaluation,
  listEvaluationResults,
  type TestCaseResponseDto,
  unwrap,
} from '../api/studio';
import { MetricBars, PassRate, ScoreHistogram } from '../components/charts';
import { ReportDownloads } from '../components/report-downloads';
import {
  DataState,
  ErrorNotice,
  Pager,
  ProgressBar,
  Section,
  Stat,
  StatusBadge,
  ScrollArea,
} from '../components/ui';
import { count, ms, percent, pretty, score, usd, when } from '../lib/format';
import { Link, useTitle } from '../lib/router';
import { useLoad } from '../lib/use-load';
import { useProject } from './project-layout';

const PER_PAGE = 20;
const ERROR_STATUSES = ['infra_error', 'timeout', 'parse_error', 'render_error'] as const;

function expectedOf(c: TestCaseResponseDto | undefined): unknown {
  if (!c) return undefined;
  const e = c.expected_outputs;
  const keys = Object.keys(e);
  if ('response' in e) return e.response;
  return keys.length === 1 ? e[keys[0]] : keys.length ? e : undefined;
}

interface LiveProgress {
  completed: number;
  total: number;
  updates: number;
}

function liveProgress(history: readonly StudioEvent[], id: number): LiveProgress {
  const live: LiveProgress = { completed: 0, total: 0, updates: 0 };
  for (const event of history) {
    if (!('evaluation_id' in event.data) || event.data.evaluation_id !== id) continue;
    if (event.type === 'evaluation_progress') {
      live.completed = event.data.completed;
      live.total = event.data.total;
    } else if (event.type === 'evaluation_started') {
      live.total = event.data.total;
    }
    if (event.type.startsWith('evaluation_')) live.updates++;
  }
  return live;
}

export function EvaluationView({ evaluationId }: { evaluationId: number }) {
  const project = useProject();
  const client = useClient();
  useTitle(`Evaluation ${evaluationId}`);
  const evaluation = useLoad(
    () => unwrap(getEvaluation({ client, path: { id: evaluationId } })),
    [client, evaluationId],
  );
  const { events } = useSession();
  // Progress as the live events tell it, from the session's history: the updates of a run that
  // began before this view opened count too. Each new one redraws the view.
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const live = liveProgress(events.history, evaluationId);
  const [resultsVersion, setResultsVersion] = useState(0);
  useLiveEvents({ entity_type: 'project', entity_id: project.id }, (event) => {
    if (!('evaluation_id' in event.data) || event.data.evaluation_id !== evaluationId) return;
    redraw();
    // The end is read again whatever is on screen (even a first load still under way).
    if (event.type === 'evaluation_completed') {
      evaluation.reload();
      setResultsVersion((v) => v + 1);
      return;
    }
    const current = evaluation.data;
    if (!current) return;
    if (event.type === 'evaluation_progress') {
      evaluation.set({ ...current, status: 'running', progress: event.data.progress });
    } else if (event.type === 'evaluation_started') {
      evaluation.set({ ...current, status: 'running' });
    }
  });

  return (
    <div className="page">
      <DataState {...evaluation}>
        {(e) => (
          <>
            <h1>
              Evaluation #{e.id}
              {e.name ? ` · ${e.name}` : ''}
            </h1>
            <Header evaluation={e} live={live} onCancelled={evaluation.reload} />
            {e.summary ? <Summary evaluation={e} /> : null}
            {e.status === 'completed' || e.summary ? (
              <Results key={resultsVersion} evaluation={e} projectId={project.id} />
            ) : null}
          </>
        )}
      </DataState>
    </div>
  );
}

function Header({
  evaluation: e,
  live,
  onCancelled,
}: {
  evaluation: EvaluationResponseDto;
  live: LiveProgress;
  onCancelled: () => void;
}) {
  const client = useClient();
  const project = useProject();
  const [error, setError] = useState<unknown>(null);
  const running = e.status === 'running' || e.status === 'pending';
  const cancel = async () => {
    try {
      await unwrap(cancelEvaluation({ client, path: { id: e.id } }));
      onCancelled();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Section title="Run">
      <div className="run-header">
        <div>
          <p>
            <StatusBadge status={e.status} />{' '}
            <span data-testid="evaluation-status">{e.status}</span> · v{e.version_number} of{' '}
            <Link to={`/projects/${project.id}/prompts/${e.prompt_id}`}>prompt {e.prompt_id}</Link>{' '}
            · {e.model_config.provider}/{e.model_config.model} · {e.test_case_count} cases ·{' '}
            {e.settings.metrics.map((m) => m.name).join(', ')} · threshold{' '}
            {e.settings.pass_threshold}
          </p>
          <ProgressBar value={e.progress} label="Evaluation progress" />
          <p className="small muted" aria-live="polite" data-testid="evaluation-live">
            {Math.round(e.progress)}% done
            {live.total ? ` (${live.completed} of ${live.total} runs)` : ''} · {live.updates} live{' '}
            {live.updates === 1 ? 'update' : 'updates'}
          </p>
          {e.error ? <p className="notice notice-error">Error: {e.error}</p> : null}
          <p className="small muted">
            Created {when(e.created_at)}
            {e.completed_at ? ` · finished ${when(e.completed_at)}` : ''}
          </p>
        </div>
        <div className="run-actions">
          {running ? (
            <button type="button" className="button-danger" onClick={() => void cancel()}>
              Cancel run
            </button>
          ) : null}
          {e.status === 'completed' ? (
            <Link className="button" to={`/projects/${project.id}/compare?a=${e.id}`}>
              Compare with…
            </Link>
          ) : null}
        </div>
      </div>
      <ErrorNotice error={error} title="Could not cancel" />
      {e.status === 'completed' ? <ReportDownloads evaluationId={e.id} /> : null}
    </Section>
  );
}

function Summary({ evaluation: e }: { evaluation: EvaluationResponseDto }) {
  const s = e.summary!;
  const errors =
    s.counts.infra_error + s.counts.timeout + s.counts.parse_error + s.counts.render_error;
  return (
    <Section title="Summary">
      <div className="stats" data-testid="evaluation-summary">
        <Stat
          label="Pass rate"
          value={percent(s.pass_rate)}
          hint={`${s.passed} passed, ${s.failed} failed`}
        />
        <Stat
          label="Mean score"
          value={score(s.score.mean)}
          hint={
            s.score.ci95 ? `95% CI ${score(s.score.ci95[0])}–${score(s.score.ci95[1])}` : undefined
          }
        />
        <Stat label="Runs" value={count(s.total)} hint={`${s.counts.ok} ok, ${errors} errors`} />
        <Stat
          label="Tokens"
          value={count(s.tokens.total)}
          hint={`${count(s.tokens.input)} in, ${count(s.tokens.output)} out`}
        />
        <Stat label="Cost" value={usd(s.cost)} hint={`${s.cached} from cache`} />
        <Stat
          label="Latency p50 / p95"
          value={`${ms(s.latency_ms.p50)} / ${ms(s.latency_ms.p95)}`}
        />
      </div>
      {s.not_scored.cases > 0 ? (
        <p className="notice">
          {s.not_scored.cases} cases were not scored (no expected value to compare with); they are
          left out of the means and the pass rate.
        </p>
      ) : null}
      <div className="charts">
        <PassRate rate={s.pass_rate} passed={s.passed} failed={s.failed} />
        <ScoreHistogram bins={s.histogram.bins} />
        <MetricBars metrics={s.metrics} />
      </div>
    </Section>
  );
}

function ResultRow({
  r,
  testCase,
}: {
  r: EvaluationResultDto;
  testCase: TestCaseResponseDto | undefined;
}) {
  const expected = expectedOf(testCase);
  return (
    <tr>
      <th scope="row">
        {testCase?.name ?? `case ${r.test_case_id}`}
        {r.repeat_index > 0 ? <span className="muted"> (run {r.repeat_index + 1})</span> : null}
        <div className="small">
          {r.passed === null ? (
            <span className="badge">not scored</span>
          ) : r.passed ? (
            <span className="badge badge-completed">pass</span>
          ) : (
            <span className="badge badge-failed">fail</span>
          )}{' '}
          score {score(r.score)}
        </div>
        <div className="small muted">
          {Object.entries(r.scores)
            .map(([k, v]) => `${k} ${score(v, 2)}`)
            .join(' · ')}
        </div>
      </th>
      <td className="cell-text">
        <pre>{r.output ?? '—'}</pre>
      </td>
      <td className="cell-text">
        <pre>{expected === undefined ? '—' : pretty(expected)}</pre>
      </td>
      <td className="small nowrap">
        {ms(r.latency_ms)}
        <br />
        {r.tokens_in + r.tokens_out} tok
        <br />
        {usd(r.cost)}
        {r.cached ? (
          <>
            <br />
            cached
          </>
        ) : null}
      </td>
    </tr>
  );
}

function Results({
  evaluation: e,
  projectId,
}: {
  evaluation: EvaluationResponseDto;
  projectId: number;
}) {
  const client = useClient();
  const cases = useTestCaseIndex(projectId);
  const [page, setPage] = useState(1);
  const [only, setOnly] = useState<'all' | 'failed'>('all');
  const results = useLoad(
    () =>
      unwrap(
        listEvaluationResults({
          client,
          path: { id: e.id },
          query: {
            order: 'score',
            status: 'ok',
            page,
            per_page: PER_PAGE,
            ...(only === 'failed' ? { passed: false } : {}),
          },
        }),
      ),
    [client, e.id, page, only],
  );
  const counts = e.summary?.counts;
  const failedStatuses = ERROR_STATUSES.filter((s) => (counts?.[s] ?? 0) > 0);
  const errored = useLoad(async () => {
    const lists = await Promise.all(
      failedStatuses.map((status) =>
        unwrap(
          listEvaluationResults({ client, path: { id: e.id }, query: { status, per_page: 100 } }),
        ),
      ),
    );
    return lists.flatMap((l) => l.items);
  }, [client, e.id, failedStatuses.join(',')]);
  const index = cases.data;
  const table = (items: EvaluationResultDto[], caption: string) => (
    <ScrollArea label={caption}>
      <table className="results">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Case</th>
            <th scope="col">Model output</th>
            <th scope="col">Expected</th>
            <th scope="col">Latency, tokens, cost</th>
          </tr>
        </thead>
        <tbody>
          {items.map((r) => (
            <ResultRow key={r.id} r={r} testCase={index?.get(r.test_case_id)} />
          ))}
        </tbody>
      </table>
    </ScrollArea>
  );
  return (
    <>
      <Section
        title="Cases, worst first"
        actions={
          <div className="field inline-field">
            <label htmlFor="results-filter">Show</label>
            <select
              id="results-filter"
              value={only}
              onChange={(ev) => {
                setOnly(ev.target.value as typeof only);
                setPage(1);
              }}
            >
              <option value="all">All scored cases</option>
              <option value="failed">Failed only</option>
            </select>
          </div>
        }
      >
        <DataState {...results}>
          {(data) =>
            data.items.length === 0 ? (
              <p>No case to show.</p>
            ) : (
              <>
                {table(data.items, 'Results of cases that ran, lowest score first')}
                <Pager
                  page={page}
                  perPage={PER_PAGE}
                  total={data.total}
                  onPage={setPage}
                  label="Result pages"
                />
              </>
            )
          }
        </DataState>
      </Section>
      <Section title="Infrastructure and parse errors">
        <p className="muted small">
          Provider failures, time-outs, unparseable answers and cases missing an input are kept
          apart: they say nothing about the prompt's quality and are not in the scores.
        </p>
        {failedStatuses.length === 0 ? (
          <p data-testid="no-infra-errors">None.</p>
        ) : (
          <DataState {...errored}>
            {(items) => (
              <>
                <p>
                  {failedStatuses.map((s) => `${counts?.[s]} ${s.replace('_', ' ')}`).join(', ')}
                </p>
                <ul className="plain-list">
                  {items.map((r) => (
                    <li key={r.id}>
                      <strong>
                        {index?.get(r.test_case_id)?.name ?? `case ${r.test_case_id}`}
                      </strong>{' '}
                      <StatusBadge status={r.status} /> {r.error ?? ''}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </DataState>
        )}
      </Section>
    </>
  );
}
