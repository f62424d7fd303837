import { useEffect, useReducer, useRef, useState } from 'react';
import type { StudioEvent } from '../api/events';
import { useClient, useLiveEvents, useSession } from '../api/session-context';
import {
  cancelOptimization,
  type CandidateResponseDto,
  getOptimization,
  getPrompt,
  listOptimizationCandidates,
  listPromptVersions,
  type OptimizationResponseDto,
  type PromptVersionResponseDto,
  revertPrompt,
  type SplitScoreDto,
  unwrap,
} from '../api/studio';
import { ScoreOverBudget, type ScorePoint } from '../components/charts';
import { PromptDiff, type PromptContent } from '../components/diff-view';
import { candidateScore, LineageTree } from '../components/lineage-tree';
import {
  DataState,
  ErrorNotice,
  ProgressBar,
  Section,
  Stat,
  StatusBadge,
  ScrollArea,
} from '../components/ui';
import { count, score, signed, usd, when } from '../lib/format';
import { Link, useTitle } from '../lib/router';
import { useLoad } from '../lib/use-load';
import { useProject } from './project-layout';

const content = (v: {
  system_prompt: string | null;
  user_prompt: string;
  few_shot_examples: unknown[];
  model_config: unknown;
}): PromptContent => ({
  system_prompt: v.system_prompt,
  user_prompt: v.user_prompt,
  few_shot_examples: v.few_shot_examples,
  model_config: v.model_config,
});

const sameContent = (a: PromptContent, b: PromptContent) => JSON.stringify(a) === JSON.stringify(b);

function splitScore(s: SplitScoreDto | null | undefined): string {
  if (!s || s.mean === null) return '—';
  return `${score(s.mean)}${s.ci95 ? ` [${score(s.ci95[0])}, ${score(s.ci95[1])}]` : ''} (n=${s.n})`;
}

async function allCandidates(
  client: ReturnType<typeof useClient>,
  id: number,
): Promise<CandidateResponseDto[]> {
  const out: CandidateResponseDto[] = [];
  for (let page = 1; page <= 10; page++) {
    const data = await unwrap(
      listOptimizationCandidates({ client, path: { id }, query: { page, per_page: 100 } }),
    );
    out.push(...data.items);
    if (out.length >= data.total || data.items.length === 0) break;
  }
  return out;
}

/** The run's iterations among the live events, as chart points (model calls spent → scores). */
function iterationPoints(history: readonly StudioEvent[], id: number): ScorePoint[] {
  const points: ScorePoint[] = [];
  for (const event of history) {
    if (event.type !== 'optimization_iteration' || event.data.optimization_id !== id) continue;
    points.push({
      x: event.data.budget_used.llm_calls,
      current: event.data.current_metric,
      best: event.data.best_metric,
    });
  }
  return points;
}

export function OptimizationView({ optimizationId }: { optimizationId: number }) {
  const project = useProject();
  const client = useClient();
  const { events } = useSession();
  useTitle(`Optimization ${optimizationId}`);
  const optimization = useLoad(
    () => unwrap(getOptimization({ client, path: { id: optimizationId } })),
    [client, optimizationId],
  );
  const candidates = useLoad(() => allCandidates(client, optimizationId), [client, optimizationId]);
  // The chart is drawn from the session's event history, so iterations that arrived before this
  // view opened (a run started just before) are on it too; each new one redraws it.
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const points = iterationPoints(events.history, optimizationId);
  const refresh = useRef<number | null>(null);
  useEffect(() => () => window.clearTimeout(refresh.current ?? undefined), []);
  // Candidates arrive faster than they need to be shown: read them at most every 1.5 s.
  const refreshCandidates = () => {
    if (refresh.current !== null) return;
    refresh.current = window.setTimeout(() => {
      refresh.current = null;
      candidates.reload();
    }, 1500);
  };

  useLiveEvents({ entity_type: 'project', entity_id: project.id }, (event) => {
    if (event.type === 'optimization_iteration' && event.data.optimization_id === optimizationId) {
      redraw();
    }
    if (
      (event.type === 'optimization_completed' || event.type === 'optimization_started') &&
      event.data.optimization_id === optimizationId
    ) {
      optimization.reload();
      candidates.reload();
      return;
    }
    const current = optimization.data;
    if (!current) return;
    if (event.type === 'optimization_iteration' && event.data.optimization_id === optimizationId) {
      const d = event.data;
      const max = current.budget.max_llm_calls;
      optimization.set({
        ...current,
        status: 'running',
        iterations_completed: d.iteration,
        usage: {
          ...current.usage,
          llm_calls: d.budget_used.llm_calls,
          tokens: d.budget_used.tokens,
          usd: d.budget_used.usd,
        },
        progress: max ? Math.min(100, (100 * d.budget_used.llm_calls) / max) : current.progress,
      });
    } else if (
      event.type === 'optimization_candidate' &&
      event.data.optimization_id === optimizationId
    ) {
      refreshCandidates();
    }
  });

  return (
    <div className="page">
      <DataState {...optimization}>
        {(o) => (
          <>
            <h1>
              Optimization #{o.id}
              {o.name ? ` · ${o.name}` : ''}
            </h1>
            <Overview optimization={o} onCancelled={optimization.reload} />
            <Section title="Score against budget spent">
              {points.length > 0 ? (
                <div data-source="live" data-testid="chart-live">
                  <ScoreOverBudget
                    points={points}
                    budget={o.budget.max_llm_calls ?? null}
                    xLabel="model calls"
                  />
                  <p className="small muted" data-testid="iteration-count">
                    {points.length} live {points.length === 1 ? 'iteration' : 'iterations'}; the
                    line is the best score so far, the dots each iteration's score.
                  </p>
                </div>
              ) : (
                <HistoryChart
                  candidates={candidates.data ?? []}
                  running={o.status === 'running' || o.status === 'pending'}
                />
              )}
            </Section>
            <Winner optimization={o} candidates={candidates.data ?? []} />
            <Lineage candidates={candidates.data ?? []} loading={candidates.loading} />
          </>
        )}
      </DataState>
    </div>
  );
}

/** After the fact (no live events seen): each candidate's score in the order they were made. */
function HistoryChart({
  candidates,
  running,
}: {
  candidates: CandidateResponseDto[];
  running: boolean;
}) {
  if (candidates.length === 0) {
    return (
      <p className="muted">
        {running ? 'Waiting for the first iteration…' : 'No candidate was scored.'}
      </p>
    );
  }
  const points: ScorePoint[] = [];
  let best: number | null = null;
  for (const c of [...candidates].sort((a, b) => a.candidate_id - b.candidate_id)) {
    const s = candidateScore(c);
    if (s !== null && (best === null || s > best)) best = s;
    points.push({ x: points.length + 1, current: s, best });
  }
  return (
    <div data-source="history">
      <ScoreOverBudget points={points} budget={null} xLabel="candidates scored" />
      <p className="small muted">
        Drawn from the recorded candidates; live runs plot against model calls spent.
      </p>
    </div>
  );
}

function Overview({
  optimization: o,
  onCancelled,
}: {
  optimization: OptimizationResponseDto;
  onCancelled: () => void;
}) {
  const client = useClient();
  const [error, setError] = useState<unknown>(null);
  const running = o.status === 'running' || o.status === 'pending';
  const cancel = async () => {
    try {
      await unwrap(cancelOptimization({ client, path: { id: o.id } }));
      onCancelled();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Section
      title="Run"
      actions={
        running ? (
          <button type="button" className="button-danger" onClick={() => void cancel()}>
            Cancel run
          </button>
        ) : null
      }
    >
      <p>
        <StatusBadge status={o.status} /> <span data-testid="optimization-status">{o.status}</span>{' '}
        · {o.strategy} · {o.iterations_completed} iterations · {o.candidate_count} candidates ·
        started {when(o.started_at ?? o.created_at)}
      </p>
      <ProgressBar value={o.progress} label="Budget spent" />
      <div className="stats">
        <Stat
          label="Model calls"
          value={count(o.usage.llm_calls)}
          hint={o.budget.max_llm_calls ? `of ${count(o.budget.max_llm_calls)}` : undefined}
        />
        <Stat
          label="Tokens"
          value={count(o.usage.tokens)}
          hint={o.budget.max_tokens ? `of ${count(o.budget.max_tokens)}` : undefined}
        />
        <Stat
          label="Cost"
          value={usd(o.usage.usd)}
          hint={o.budget.max_usd ? `of ${usd(o.budget.max_usd)}` : undefined}
        />
        <Stat label="Baseline (validation)" value={splitScore(o.baseline.validation)} />
        <Stat label="Best (validation)" value={splitScore(o.best.validation)} />
        <Stat label="Best (train)" value={splitScore(o.best.train)} />
      </div>
      {o.improvement ? (
        <div
          className={`verdict ${o.improvement.improved ? 'verdict-better' : 'verdict-none'}`}
          data-testid="optimization-verdict"
        >
          <strong>
            {o.improvement.improved ? 'Significant improvement' : 'No significant improvement'}
          </strong>{' '}
          ({signed(o.improvement.delta)} on validation
          {o.improvement.ci95
            ? `, 95% CI ${signed(o.improvement.ci95[0])} to ${signed(o.improvement.ci95[1])}`
            : ''}
          )<p>{o.improvement.verdict}</p>
        </div>
      ) : null}
      {o.error ? <p className="notice notice-error">Error: {o.error}</p> : null}
      <ErrorNotice error={error} title="Could not cancel" />
    </Section>
  );
}

function Winner({
  optimization: o,
  candidates,
}: {
  optimization: OptimizationResponseDto;
  candidates: CandidateResponseDto[];
}) {
  const client = useClient();
  const project = useProject();
  const data = useLoad(async () => {
    const [prompt, versions] = await Promise.all([
      unwrap(getPrompt({ client, path: { id: o.prompt_id } })),
      unwrap(
        listPromptVersions({
          client,
          path: { id: o.prompt_id },
          query: { per_page: 100, order: 'desc' },
        }),
      ),
    ]);
    return { prompt, versions: versions.items };
  }, [client, o.prompt_id, o.optimized_version_id, o.status]);
  const [error, setError] = useState<unknown>(null);
  const [promoted, setPromoted] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (o.status === 'pending' || o.status === 'running') return null;
  const byId = (id: number | null) => data.data?.versions.find((v) => v.id === id);
  const baseline = byId(o.initial_version_id);
  const optimized = byId(o.optimized_version_id);
  const winnerCandidate = candidates.find((c) => c.status === 'winner');
  const seed = candidates.find((c) => c.candidate_id === 0);

  const promote = async (v: PromptVersionResponseDto) => {
    setBusy(true);
    setError(null);
    try {
      const prompt = await unwrap(
        revertPrompt({
          client,
          path: { id: o.prompt_id },
          body: {
            version: v.version_number,
            change_description: `Promoted the winner of optimization ${o.id}`,
          },
        }),
      );
      setPromoted(
        `Version ${prompt.current_version.version_number} (the winner, v${v.version_number}) is now current.`,
      );
      data.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Winner against the baseline">
      <DataState {...data}>
        {({ prompt }) => {
          const isCurrent = optimized
            ? sameContent(content(prompt.current_version), content(optimized))
            : false;
          return (
            <>
              {optimized && baseline ? (
                <>
                  <p>
                    The winner was saved as{' '}
                    <Link to={`/projects/${project.id}/prompts/${o.prompt_id}`}>
                      v{optimized.version_number}
                    </Link>
                    ; the run started from v{baseline.version_number}.
                  </p>
                  <PromptDiff
                    before={content(baseline)}
                    after={content(optimized)}
                    beforeLabel={`baseline v${baseline.version_number}`}
                    afterLabel={`winner v${optimized.version_number}`}
                  />
                  {isCurrent ? (
                    <p className="notice notice-ok" role="status" data-testid="promoted">
                      {promoted ??
                        `The winner is the current version (v${prompt.current_version.version_number}).`}
                    </p>
                  ) : (
                    <button
                      type="button"
                      className="button-primary"
                      disabled={busy}
                      onClick={() => void promote(optimized)}
                    >
                      Promote the winner to current version
                    </button>
                  )}
                </>
              ) : winnerCandidate && seed && winnerCandidate.candidate_id !== seed.candidate_id ? (
                <>
                  <p>
                    No version was saved: the gain was not significant. The best candidate differs
                    from the seed like this:
                  </p>
                  <PromptDiff
                    before={content(seed.candidate)}
                    after={content(winnerCandidate.candidate)}
                    beforeLabel="seed"
                    afterLabel={`candidate ${winnerCandidate.candidate_id}`}
                  />
                </>
              ) : (
                <p>The starting prompt remains the best: nothing to promote.</p>
              )}
              <ErrorNotice error={error} title="Could not promote" />
            </>
          );
        }}
      </DataState>
    </Section>
  );
}

function Lineage({
  candidates,
  loading,
}: {
  candidates: CandidateResponseDto[];
  loading: boolean;
}) {
  const [selected, setSelected] = useState<number | null>(null);
  const chosen = candidates.find((c) => c.candidate_id === selected);
  const seed = candidates.find((c) => c.candidate_id === 0);
  return (
    <Section title={`Candidate lineage (${candidates.length})`}>
      {candidates.length === 0 ? (
        <p className="muted">{loading ? 'Loading…' : 'No candidate yet.'}</p>
      ) : (
        <>
          <LineageTree candidates={candidates} selected={selected} onSelect={setSelected} />
          <p className="legend small">
            <span className="node-key node-winner">winner</span>{' '}
            <span className="node-key node-finalist">finalist</span>{' '}
            <span className="node-key node-accepted">accepted</span>{' '}
            <span className="node-key node-scored">scored</span>{' '}
            <span className="node-key node-rejected">rejected / pruned</span>
          </p>
          <ScrollArea label="Candidates" className="table-scroll lineage-table">
            <table>
              <caption className="sr-only">Candidates with their parents and scores</caption>
              <thead>
                <tr>
                  <th scope="col">Candidate</th>
                  <th scope="col">Parents</th>
                  <th scope="col">Made by</th>
                  <th scope="col">Iteration</th>
                  <th scope="col">Status</th>
                  <th scope="col">Train</th>
                  <th scope="col">Validation</th>
                  <th scope="col">
                    <span className="sr-only">Details</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {candidates.map((c) => (
                  <tr
                    key={c.candidate_id}
                    className={selected === c.candidate_id ? 'row-current' : undefined}
                  >
                    <th scope="row">#{c.candidate_id}</th>
                    <td>{c.parent_ids.map((p) => `#${p}`).join(', ') || '—'}</td>
                    <td>{c.operator}</td>
                    <td>{c.iteration}</td>
                    <td>
                      <StatusBadge status={c.status} />
                    </td>
                    <td>{score(c.scores.train)}</td>
                    <td>{score(c.scores.rescored ?? c.scores.validation)}</td>
                    <td>
                      <button
                        type="button"
                        className="button-small"
                        aria-pressed={selected === c.candidate_id}
                        onClick={() =>
                          setSelected(selected === c.candidate_id ? null : c.candidate_id)
                        }
                      >
                        Show<span className="sr-only"> candidate {c.candidate_id}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollArea>
          {chosen && seed ? (
            <div className="subsection" aria-live="polite">
              <h3 className="subhead">
                Candidate #{chosen.candidate_id} against the seed
                {chosen.note ? ` — ${chosen.note}` : ''}
              </h3>
              <PromptDiff
                before={content(seed.candidate)}
                after={content(chosen.candidate)}
                beforeLabel="seed #0"
                afterLabel={`#${chosen.candidate_id}`}
              />
            </div>
          ) : null}
        </>
      )}
    </Section>
  );
}
