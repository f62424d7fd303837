import { type FormEvent, useState } from 'react';
import { useClient } from '../api/session-context';
import {
  fieldErrors,
  getPrompt,
  listPromptVersions,
  type PromptResponseDto,
  type PromptVersionPageDto,
  type PromptVersionResponseDto,
  revertPrompt,
  unwrap,
  updatePrompt,
} from '../api/studio';
import { PromptDiff } from '../components/diff-view';
import { type PromptDraft, PromptFields } from '../components/prompt-fields';
import { DataState, ErrorNotice, Field, Section, ScrollArea } from '../components/ui';
import { when } from '../lib/format';
import { Link, useTitle } from '../lib/router';
import { type Loaded, useLoad } from '../lib/use-load';
import { useProject } from './project-layout';

const draftOf = (v: PromptVersionResponseDto): PromptDraft => ({
  system_prompt: v.system_prompt ?? '',
  user_prompt: v.user_prompt,
  few_shot_examples: v.few_shot_examples,
  model_config: v.model_config,
});

export function PromptView({ promptId }: { promptId: number }) {
  const project = useProject();
  const client = useClient();
  const prompt = useLoad(
    () => unwrap(getPrompt({ client, path: { id: promptId } })),
    [client, promptId],
  );
  const versions = useLoad(
    () =>
      unwrap(
        listPromptVersions({
          client,
          path: { id: promptId },
          query: { per_page: 100, order: 'desc' },
        }),
      ),
    [client, promptId],
  );
  useTitle(prompt.data?.name ?? 'Prompt');
  // Kept here: a save or revert makes a new current version, which remounts the editor.
  const [notice, setNotice] = useState<string | null>(null);
  const changed = (message: string) => {
    setNotice(message);
    prompt.reload();
    versions.reload();
  };
  return (
    <div className="page">
      <DataState {...prompt}>
        {(p) => (
          <>
            <h1>{p.name}</h1>
            <p className="lead">
              Current version <strong>v{p.current_version.version_number}</strong>
              {p.current_version.variables.length
                ? ` · variables ${p.current_version.variables.map((v) => `{${v}}`).join(', ')}`
                : ''}
            </p>
            <div className="actions-row">
              <Link className="button" to={`/projects/${project.id}/evaluations?prompt=${p.id}`}>
                Evaluate
              </Link>
              <Link className="button" to={`/projects/${project.id}/optimizations?prompt=${p.id}`}>
                Optimize
              </Link>
              <Link className="button" to={`/projects/${project.id}/playground?prompt=${p.id}`}>
                Open in playground
              </Link>
            </div>
            {notice ? (
              <p className="notice notice-ok" role="status">
                {notice}
              </p>
            ) : null}
            <div className="two-col">
              <Editor key={p.current_version.id} prompt={p} onSaved={changed} />
              <History prompt={p} versions={versions} onReverted={changed} />
            </div>
          </>
        )}
      </DataState>
    </div>
  );
}

function Editor({
  prompt,
  onSaved,
}: {
  prompt: PromptResponseDto;
  onSaved: (message: string) => void;
}) {
  const client = useClient();
  const [draft, setDraft] = useState(() => draftOf(prompt.current_version));
  const [description, setDescription] = useState('');
  const [examplesError, setExamplesError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fields = fieldErrors(error);
  const unchanged = JSON.stringify(draft) === JSON.stringify(draftOf(prompt.current_version));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = await unwrap(
        updatePrompt({
          client,
          path: { id: prompt.id },
          body: {
            system_prompt: draft.system_prompt === '' ? null : draft.system_prompt,
            user_prompt: draft.user_prompt,
            few_shot_examples: draft.few_shot_examples,
            model_config: draft.model_config,
            ...(description.trim() ? { change_description: description.trim() } : {}),
          },
        }),
      );
      setDescription('');
      onSaved(`Saved as version ${saved.current_version.version_number}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Edit">
      <form onSubmit={(e) => void submit(e)}>
        <PromptFields
          draft={draft}
          onChange={setDraft}
          errors={fields}
          onExamplesError={setExamplesError}
        />
        <Field
          label="What changed"
          hint="Shown in the version history."
          error={fields.change_description}
        >
          {(p) => (
            <input {...p} value={description} onChange={(e) => setDescription(e.target.value)} />
          )}
        </Field>
        <ErrorNotice error={error} title="Could not save" />
        <button
          type="submit"
          className="button-primary"
          disabled={busy || unchanged || Boolean(examplesError)}
        >
          Save as new version
        </button>
        {unchanged ? (
          <span className="muted small"> Edit the prompt to save a new version.</span>
        ) : null}
      </form>
    </Section>
  );
}

function History({
  prompt,
  versions,
  onReverted,
}: {
  prompt: PromptResponseDto;
  versions: Loaded<PromptVersionPageDto>;
  onReverted: (message: string) => void;
}) {
  const client = useClient();
  const items = versions.data?.items ?? [];
  const current = prompt.current_version.version_number;
  // Until chosen: the version before the current one (A) against the current one (B).
  const [chosenA, setA] = useState<number | null>(null);
  const [chosenB, setB] = useState<number | null>(null);
  const a = chosenA ?? items.find((v) => v.version_number < current)?.version_number ?? current;
  const b = chosenB ?? current;
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<number | null>(null);

  const revert = async (version: number) => {
    setBusy(version);
    setError(null);
    try {
      const reverted = await unwrap(
        revertPrompt({ client, path: { id: prompt.id }, body: { version } }),
      );
      onReverted(
        `Reverted: version ${reverted.current_version.version_number} (a copy of v${version}) is now current.`,
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const va = items.find((v) => v.version_number === a);
  const vb = items.find((v) => v.version_number === b);
  return (
    <Section title="Version history">
      <DataState {...versions}>
        {() => (
          <>
            <ScrollArea label="Versions">
              <table className="versions">
                <caption className="sr-only">
                  Versions, newest first. Choose two to compare them.
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Change</th>
                    <th scope="col">Created</th>
                    <th scope="col">Diff A</th>
                    <th scope="col">Diff B</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((v) => (
                    <tr
                      key={v.id}
                      className={v.version_number === current ? 'row-current' : undefined}
                    >
                      <th scope="row">
                        v{v.version_number}
                        {v.version_number === current ? (
                          <span className="badge badge-current">current</span>
                        ) : null}
                      </th>
                      <td>
                        <span className={`badge badge-source-${v.source}`}>{v.source}</span>{' '}
                        {v.change_description ?? ''}
                      </td>
                      <td>{when(v.created_at)}</td>
                      <td>
                        <input
                          type="radio"
                          name="diff-a"
                          aria-label={`Compare from version ${v.version_number}`}
                          checked={a === v.version_number}
                          onChange={() => setA(v.version_number)}
                        />
                      </td>
                      <td>
                        <input
                          type="radio"
                          name="diff-b"
                          aria-label={`Compare to version ${v.version_number}`}
                          checked={b === v.version_number}
                          onChange={() => setB(v.version_number)}
                        />
                      </td>
                      <td>
                        {v.version_number !== current ? (
                          <button
                            type="button"
                            className="button-small"
                            disabled={busy !== null}
                            onClick={() => void revert(v.version_number)}
                          >
                            Revert to v{v.version_number}
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollArea>
            <ErrorNotice error={error} title="Could not revert" />
            <h3 className="subhead">
              Diff v{a ?? '?'} → v{b ?? '?'}
            </h3>
            {va && vb ? (
              <PromptDiff
                before={va}
                after={vb}
                beforeLabel={`v${va.version_number}`}
                afterLabel={`v${vb.version_number}`}
              />
            ) : (
              <p className="muted">Choose two versions.</p>
            )}
          </>
        )}
      </DataState>
    </Section>
  );
}
