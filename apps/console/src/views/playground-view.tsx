import { useState } from 'react';
import { useClient } from '../api/session-context';
import {
  type Client,
  executePrompt,
  getPrompt,
  getSignature,
  listPrompts,
  listTestCases,
  type ModelConfigDto,
  type PromptDraftDto,
  type PromptExecutionResponseDto,
  type PromptResponseDto,
  type TestCaseResponseDto,
  unwrap,
  updatePrompt,
} from '../api/studio';
import { ModelConfigEditor } from '../components/model-config-editor';
import { type PromptDraft, PromptFields } from '../components/prompt-fields';
import { DataState, ErrorNotice, Field, Section, ScrollArea, NumberField } from '../components/ui';
import { compact, ms, pretty, usd } from '../lib/format';
import { navigate, useLocation, useTitle } from '../lib/router';
import { useLoad } from '../lib/use-load';
import { useProject } from './project-layout';

type Run = { result?: PromptExecutionResponseDto; error?: unknown };

const draftOf = (p: PromptResponseDto): PromptDraft => ({
  system_prompt: p.current_version.system_prompt ?? '',
  user_prompt: p.current_version.user_prompt,
  few_shot_examples: p.current_version.few_shot_examples,
  model_config: p.current_version.model_config,
});

/** What a run uses: a stored version, and over it the unsaved edits (nothing is saved). */
interface RunTarget {
  version: number;
  draft?: PromptDraftDto;
  /** The draft's model, when no column picks its own. */
  model?: ModelConfigDto | null;
}

async function execute(
  client: Client,
  promptId: number,
  target: RunTarget,
  inputs: Record<string, unknown>,
  columnModel: ModelConfigDto | null,
): Promise<Run> {
  const model = columnModel ?? target.model ?? null;
  try {
    const result = await unwrap(
      executePrompt({
        client,
        path: { id: promptId },
        body: {
          inputs,
          version: target.version,
          ...(target.draft ? { draft: target.draft } : {}),
          ...(model ? { model_config: model } : {}),
        },
      }),
    );
    return { result };
  } catch (error) {
    return { error };
  }
}

/** Runs `tasks` with at most `limit` in flight, results in order. */
async function pooled<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const out: T[] = new Array<T>(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]();
      }
    }),
  );
  return out;
}

function RunCell({ run }: { run: Run | undefined }) {
  if (!run) return <span className="muted">…</span>;
  if (run.error) return <ErrorNotice error={run.error} title="Failed" />;
  const r = run.result!;
  return (
    <div className="run-cell">
      <pre>{r.output}</pre>
      <p className="small muted">
        {r.usage.input} in / {r.usage.output} out tokens · {usd(r.cost)} · {ms(r.latency_ms)}
        {r.cached ? ' · cached' : ''}
      </p>
      {r.parse_errors.length ? (
        <p className="small field-error">Parse: {r.parse_errors.join('; ')}</p>
      ) : null}
    </div>
  );
}

export function PlaygroundView() {
  const project = useProject();
  useTitle(`Playground · ${project.name}`);
  const client = useClient();
  const { query } = useLocation();
  const prompts = useLoad(
    () => unwrap(listPrompts({ client, query: { project_id: project.id, per_page: 100 } })),
    [client, project.id],
  );
  const chosen = Number(query.get('prompt')) || prompts.data?.items[0]?.id || null;
  return (
    <div className="page">
      <h1>Playground</h1>
      <DataState {...prompts}>
        {(list) =>
          list.items.length === 0 ? (
            <p>Create a prompt first.</p>
          ) : (
            <>
              <div className="field inline-field">
                <label htmlFor="pg-prompt">Prompt</label>
                <select
                  id="pg-prompt"
                  value={chosen ?? ''}
                  onChange={(e) =>
                    navigate(`/projects/${project.id}/playground?prompt=${e.target.value}`, {
                      replace: true,
                    })
                  }
                >
                  {list.items.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </select>
              </div>
              {chosen ? <Playground key={chosen} promptId={chosen} projectId={project.id} /> : null}
            </>
          )
        }
      </DataState>
    </div>
  );
}

function Playground({ promptId, projectId }: { promptId: number; projectId: number }) {
  const client = useClient();
  const prompt = useLoad(async () => {
    const p = await unwrap(getPrompt({ client, path: { id: promptId } }));
    const signature = p.signature_id
      ? await unwrap(getSignature({ client, path: { id: p.signature_id } }))
      : null;
    return { prompt: p, signature };
  }, [client, promptId]);
  return (
    <DataState {...prompt}>
      {({ prompt: p, signature }) => (
        // Not remounted by a save: the runs on screen stay, and the draft now equals the version.
        <Workbench
          prompt={p}
          variables={
            signature ? signature.input_schema.map((f) => f.name) : p.current_version.variables
          }
          projectId={projectId}
          onSaved={prompt.reload}
        />
      )}
    </DataState>
  );
}

function Workbench({
  prompt,
  variables,
  projectId,
  onSaved,
}: {
  prompt: PromptResponseDto;
  variables: string[];
  projectId: number;
  onSaved: () => void;
}) {
  const client = useClient();
  const [draft, setDraft] = useState(() => draftOf(prompt));
  const [models, setModels] = useState<Array<ModelConfigDto | null>>([null]);
  const [inputs, setInputs] = useState<Record<string, string>>(() =>
    Object.fromEntries(variables.map((v) => [v, ''])),
  );
  const [caseCount, setCaseCount] = useState('5');
  const [goldenOnly, setGoldenOnly] = useState(false);
  const [single, setSingle] = useState<Run[] | null>(null);
  const [batch, setBatch] = useState<{ cases: TestCaseResponseDto[]; runs: Run[][] } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [examplesError, setExamplesError] = useState<string | null>(null);
  // A save reloads the prompt: the draft then matches its new current version.
  const version = prompt.current_version.version_number;
  const dirty = JSON.stringify(draft) !== JSON.stringify(draftOf(prompt));

  /** Runs use the current version, with the unsaved edits over it when there are any. */
  const target = (): RunTarget =>
    dirty
      ? {
          version,
          draft: {
            system_prompt: draft.system_prompt === '' ? null : draft.system_prompt,
            user_prompt: draft.user_prompt,
            few_shot_examples: draft.few_shot_examples,
          },
          model: draft.model_config,
        }
      : { version };
  /** Stores the edits as a new version (the prompt reloads; the draft then matches it). */
  const saveDraft = async (): Promise<void> => {
    const saved = await unwrap(
      updatePrompt({
        client,
        path: { id: prompt.id },
        body: {
          system_prompt: draft.system_prompt === '' ? null : draft.system_prompt,
          user_prompt: draft.user_prompt,
          few_shot_examples: draft.few_shot_examples,
          model_config: draft.model_config,
          change_description: 'Saved from the playground',
        },
      }),
    );
    setNotice(`Saved as version ${saved.current_version.version_number}.`);
    onSaved();
  };
  const parsedInputs = () =>
    Object.fromEntries(
      Object.entries(inputs).map(([k, v]) => {
        try {
          return [k, /^\s*[[{]/.test(v) ? (JSON.parse(v) as unknown) : v];
        } catch {
          return [k, v];
        }
      }),
    );
  const runOnce = async () => {
    setBusy(true);
    setError(null);
    setSingle(null);
    try {
      const run = target();
      setSingle(
        await Promise.all(models.map((m) => execute(client, prompt.id, run, parsedInputs(), m))),
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const runCases = async () => {
    setBusy(true);
    setError(null);
    setBatch(null);
    try {
      const run = target();
      const cases = await unwrap(
        listTestCases({
          client,
          query: {
            project_id: projectId,
            per_page: Math.min(100, Math.max(1, Number(caseCount) || 1)),
            sort: 'name',
            ...(goldenOnly ? { is_golden: true } : {}),
          },
        }),
      );
      const empty = cases.items.map(() => models.map(() => undefined as unknown as Run));
      setBatch({ cases: cases.items, runs: empty });
      const tasks = cases.items.flatMap((c, i) =>
        models.map((m, j) => async () => {
          const result = await execute(client, prompt.id, run, c.inputs, m);
          setBatch((b) => {
            if (!b) return b;
            const runs = b.runs.map((row) => [...row]);
            runs[i][j] = result;
            return { ...b, runs };
          });
          return result;
        }),
      );
      await pooled(tasks, 4);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      await saveDraft();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const label = (i: number) =>
    models.length > 1 ? `Model ${String.fromCharCode(65 + i)}` : 'Output';
  const modelName = (m: ModelConfigDto | null) =>
    m
      ? `${m.provider}/${m.model}`
      : draft.model_config
        ? `${draft.model_config.provider}/${draft.model_config.model}`
        : 'the version’s model';
  return (
    <>
      <div className="two-col">
        <Section title={`Prompt (v${version}${dirty ? ', edited' : ''})`}>
          <PromptFields draft={draft} onChange={setDraft} onExamplesError={setExamplesError} />
          {dirty ? (
            <p className="notice" role="status">
              Unsaved edits: runs use them without saving anything. Save them as a new version when
              they are right.
            </p>
          ) : null}
          {notice ? (
            <p className="notice notice-ok" role="status">
              {notice}
            </p>
          ) : null}
          <button
            type="button"
            disabled={busy || !dirty || Boolean(examplesError)}
            onClick={() => void save()}
          >
            Save as new version
          </button>
        </Section>
        <div>
          <Section title="Models">
            {models.map((m, i) => (
              <div key={i}>
                <ModelConfigEditor
                  value={m}
                  legend={models.length > 1 ? `Model ${String.fromCharCode(65 + i)}` : 'Model'}
                  allowDefault="The version's model"
                  onChange={(v) => setModels(models.map((x, j) => (j === i ? v : x)))}
                />
              </div>
            ))}
            {models.length === 1 ? (
              <button
                type="button"
                className="button-small"
                onClick={() => setModels([...models, null])}
              >
                Add a second model, side by side
              </button>
            ) : (
              <button
                type="button"
                className="button-small"
                onClick={() => setModels(models.slice(0, 1))}
              >
                Remove model B
              </button>
            )}
          </Section>
          <Section title="Run once">
            {variables.length === 0 ? <p className="muted">The prompt has no variables.</p> : null}
            {variables.map((v) => (
              <Field key={v} label={`{${v}}`}>
                {(p) => (
                  <textarea
                    {...p}
                    rows={2}
                    value={inputs[v] ?? ''}
                    onChange={(e) => setInputs({ ...inputs, [v]: e.target.value })}
                  />
                )}
              </Field>
            ))}
            <button
              type="button"
              className="button-primary"
              disabled={busy || Boolean(examplesError)}
              onClick={() => void runOnce()}
            >
              {dirty ? 'Run the draft' : 'Run'}
            </button>
            {single ? (
              <div
                className={`side-by-side cols-${models.length}`}
                aria-live="polite"
                data-testid="single-run"
              >
                {single.map((run, i) => (
                  <div key={i}>
                    <h3 className="subhead">
                      {label(i)}: {modelName(models[i])}
                    </h3>
                    <RunCell run={run} />
                  </div>
                ))}
              </div>
            ) : null}
          </Section>
        </div>
      </div>
      <Section title="Run on test cases">
        <div className="grid-fields">
          <NumberField label="Cases" min={1} max={100} value={caseCount} onChange={setCaseCount} />
          <label className="check field-button">
            <input
              type="checkbox"
              checked={goldenOnly}
              onChange={(e) => setGoldenOnly(e.target.checked)}
            />
            Golden only
          </label>
        </div>
        <button
          type="button"
          disabled={busy || Boolean(examplesError)}
          onClick={() => void runCases()}
        >
          {dirty ? 'Run the draft on cases' : 'Run on cases'}
        </button>
        <ErrorNotice error={error} title="Could not run" />
        {batch ? (
          <ScrollArea label="Runs on test cases" testId="batch-run">
            <table className="results">
              <thead>
                <tr>
                  <th scope="col">Case</th>
                  <th scope="col">Expected</th>
                  {models.map((m, i) => (
                    <th scope="col" key={i}>
                      {label(i)} ({modelName(m)})
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {batch.cases.map((c, i) => (
                  <tr key={c.id}>
                    <th scope="row">
                      {c.name}
                      <div className="small muted mono">{compact(c.inputs)}</div>
                    </th>
                    <td className="cell-text">
                      <pre>{pretty(c.expected_outputs.response ?? c.expected_outputs)}</pre>
                    </td>
                    {models.map((_, j) => (
                      <td key={j} className="cell-text">
                        <RunCell run={batch.runs[i]?.[j]} />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollArea>
        ) : null}
      </Section>
    </>
  );
}
