import { type FormEvent, useState } from 'react';
import { useClient } from '../api/session-context';
import { createProject, fieldErrors, listProjects, unwrap } from '../api/studio';
import {
  DataState,
  ErrorNotice,
  Field,
  Pager,
  Section,
  StatusBadge,
  ScrollArea,
} from '../components/ui';
import { when } from '../lib/format';
import { Link, navigate, useTitle } from '../lib/router';
import { useLoad } from '../lib/use-load';

const PER_PAGE = 20;

export function ProjectsView() {
  useTitle('Projects');
  const client = useClient();
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const projects = useLoad(
    () =>
      unwrap(
        listProjects({
          client,
          query: { page, per_page: PER_PAGE, ...(search ? { search } : {}), sort: '-created_at' },
        }),
      ),
    [client, page, search],
  );

  return (
    <div className="page">
      <h1>Projects</h1>
      <div className="two-col">
        <Section title="All projects">
          <div className="field inline-field">
            <label htmlFor="project-search">Search</label>
            <input
              id="project-search"
              type="search"
              value={search}
              onChange={(e) => {
                setSearch(e.target.value);
                setPage(1);
              }}
            />
          </div>
          <DataState {...projects}>
            {(data) =>
              data.items.length === 0 ? (
                <p>{search ? 'No project matches.' : 'No project yet: create the first one.'}</p>
              ) : (
                <>
                  <ScrollArea label="Projects">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">Name</th>
                          <th scope="col">Status</th>
                          <th scope="col">Tags</th>
                          <th scope="col">Created</th>
                        </tr>
                      </thead>
                      <tbody>
                        {data.items.map((p) => (
                          <tr key={p.id}>
                            <td>
                              <Link to={`/projects/${p.id}`}>{p.name}</Link>
                              {p.description ? (
                                <div className="muted small">{p.description}</div>
                              ) : null}
                            </td>
                            <td>
                              <StatusBadge status={p.status} />
                            </td>
                            <td>{p.tags.join(', ') || '—'}</td>
                            <td>{when(p.created_at)}</td>
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
                    label="Projects pages"
                  />
                </>
              )
            }
          </DataState>
        </Section>
        <CreateProject />
      </div>
    </div>
  );
}

function CreateProject() {
  const client = useClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [tags, setTags] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fields = fieldErrors(error);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const project = await unwrap(
        createProject({
          client,
          body: {
            name: name.trim(),
            ...(description.trim() ? { description: description.trim() } : {}),
            tags: tags
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
          },
        }),
      );
      navigate(`/projects/${project.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <Section title="New project">
      <form onSubmit={(e) => void submit(e)}>
        <Field label="Name" error={fields.name}>
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} required />}
        </Field>
        <Field label="Description" error={fields.description}>
          {(p) => (
            <textarea
              {...p}
              rows={2}
              value={description}
              onChange={(e) => setDescription(e.target.value)}
            />
          )}
        </Field>
        <Field label="Tags" hint="Comma-separated" error={fields.tags}>
          {(p) => <input {...p} value={tags} onChange={(e) => setTags(e.target.value)} />}
        </Field>
        <ErrorNotice error={error} title="Could not create the project" />
        <button type="submit" className="button-primary" disabled={busy}>
          Create project
        </button>
      </form>
    </Section>
  );
}
