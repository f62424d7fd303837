import { useState } from 'react';
import { useClient, useLiveEvents } from '../api/session-context';
import {
  deleteTestCase,
  fieldErrors,
  listTestCases,
  type TestCaseResponseDto,
  unwrap,
  updateTestCase,
} from '../api/studio';
import { DataState, ErrorNotice, Pager, Section, ScrollArea } from '../components/ui';
import { compact, pretty } from '../lib/format';
import { useTitle } from '../lib/router';
import { useLoad } from '../lib/use-load';
import { useProject } from './project-layout';
import { ExportPanel, GeneratePanel, ImportPanel } from './test-case-panels';

const PER_PAGE = 25;

export function TestCasesView() {
  const project = useProject();
  useTitle(`Test cases · ${project.name}`);
  const client = useClient();
  const [search, setSearch] = useState('');
  const [tags, setTags] = useState('');
  const [golden, setGolden] = useState<'all' | 'golden' | 'other'>('all');
  const [page, setPage] = useState(1);
  const tagList = tags
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const cases = useLoad(
    () =>
      unwrap(
        listTestCases({
          client,
          query: {
            project_id: project.id,
            page,
            per_page: PER_PAGE,
            sort: 'name',
            ...(search ? { search } : {}),
            ...(tagList.length ? { tags: tagList } : {}),
            ...(golden === 'all' ? {} : { is_golden: golden === 'golden' }),
          },
        }),
      ),
    [client, project.id, page, search, tags, golden],
  );
  useLiveEvents({ entity_type: 'project', entity_id: project.id }, (event) => {
    if (event.type === 'test_cases_generated') cases.reload();
  });
  const filter = (apply: () => void) => {
    apply();
    setPage(1);
  };

  return (
    <div className="page">
      <h1>Test cases</h1>
      <Section title="Test set">
        <div className="filters" role="search" aria-label="Filter test cases">
          <div className="field">
            <label htmlFor="tc-search">Search</label>
            <input
              id="tc-search"
              type="search"
              value={search}
              onChange={(e) => filter(() => setSearch(e.target.value))}
            />
          </div>
          <div className="field">
            <label htmlFor="tc-tags">Tags (all of)</label>
            <input
              id="tc-tags"
              value={tags}
              placeholder="billing, refund"
              onChange={(e) => filter(() => setTags(e.target.value))}
            />
          </div>
          <div className="field">
            <label htmlFor="tc-golden">Golden</label>
            <select
              id="tc-golden"
              value={golden}
              onChange={(e) => filter(() => setGolden(e.target.value as typeof golden))}
            >
              <option value="all">All cases</option>
              <option value="golden">Golden only</option>
              <option value="other">Not golden</option>
            </select>
          </div>
        </div>
        <DataState {...cases}>
          {(data) => (
            <>
              <p className="muted" data-testid="test-case-total">
                {data.total} {data.total === 1 ? 'case' : 'cases'}
              </p>
              {data.items.length ? (
                <ScrollArea label="Test cases">
                  <table className="cases">
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Inputs</th>
                        <th scope="col">Expected</th>
                        <th scope="col">Tags</th>
                        <th scope="col">Golden</th>
                        <th scope="col">
                          <span className="sr-only">Actions</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.items.map((c) => (
                        <CaseRow key={c.id} testCase={c} onChanged={cases.reload} />
                      ))}
                    </tbody>
                  </table>
                </ScrollArea>
              ) : null}
              <Pager
                page={page}
                perPage={PER_PAGE}
                total={data.total}
                onPage={setPage}
                label="Test case pages"
              />
            </>
          )}
        </DataState>
      </Section>
      <div className="three-col">
        <ImportPanel projectId={project.id} onImported={cases.reload} />
        <ExportPanel projectId={project.id} />
        <GeneratePanel projectId={project.id} onGenerated={cases.reload} />
      </div>
    </div>
  );
}

function parseObject(text: string, what: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${what} must be a JSON object.`);
  }
  return value as Record<string, unknown>;
}

function CaseRow({
  testCase,
  onChanged,
}: {
  testCase: TestCaseResponseDto;
  onChanged: () => void;
}) {
  const client = useClient();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(testCase.name);
  const [inputs, setInputs] = useState(pretty(testCase.inputs));
  const [expected, setExpected] = useState(pretty(testCase.expected_outputs));
  const [tags, setTags] = useState(testCase.tags.join(', '));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = fieldErrors(error);

  const save = async (patch?: { is_golden: boolean }) => {
    setBusy(true);
    setError(null);
    try {
      await unwrap(
        updateTestCase({
          client,
          path: { id: testCase.id },
          body: patch ?? {
            name: name.trim(),
            inputs: parseObject(inputs, 'Inputs'),
            expected_outputs: parseObject(expected, 'Expected outputs'),
            tags: tags
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
          },
        }),
      );
      setEditing(false);
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!window.confirm(`Delete test case "${testCase.name}"?`)) return;
    setBusy(true);
    try {
      await unwrap(deleteTestCase({ client, path: { id: testCase.id } }));
      onChanged();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const golden = (
    <input
      type="checkbox"
      aria-label={`Golden: ${testCase.name}`}
      checked={testCase.is_golden}
      disabled={busy}
      onChange={(e) => void save({ is_golden: e.target.checked })}
    />
  );
  if (!editing) {
    return (
      <tr>
        <th scope="row">
          {testCase.name}
          {testCase.is_generated ? <span className="badge">generated</span> : null}
          {error ? <ErrorNotice error={error} /> : null}
        </th>
        <td className="mono cell-json">{compact(testCase.inputs)}</td>
        <td className="mono cell-json">{compact(testCase.expected_outputs)}</td>
        <td>{testCase.tags.join(', ')}</td>
        <td>{golden}</td>
        <td className="nowrap">
          <button type="button" className="button-small" onClick={() => setEditing(true)}>
            Edit<span className="sr-only"> {testCase.name}</span>
          </button>{' '}
          <button
            type="button"
            className="button-small button-danger"
            disabled={busy}
            onClick={() => void remove()}
          >
            Delete<span className="sr-only"> {testCase.name}</span>
          </button>
        </td>
      </tr>
    );
  }
  return (
    <tr className="row-editing">
      <th scope="row">
        <input aria-label="Name" value={name} onChange={(e) => setName(e.target.value)} />
        {errors.name ? <small className="field-error">{errors.name}</small> : null}
      </th>
      <td>
        <textarea
          aria-label="Inputs (JSON)"
          className="mono"
          rows={4}
          value={inputs}
          onChange={(e) => setInputs(e.target.value)}
        />
      </td>
      <td>
        <textarea
          aria-label="Expected outputs (JSON)"
          className="mono"
          rows={4}
          value={expected}
          onChange={(e) => setExpected(e.target.value)}
        />
      </td>
      <td>
        <input
          aria-label="Tags (comma-separated)"
          value={tags}
          onChange={(e) => setTags(e.target.value)}
        />
      </td>
      <td>{golden}</td>
      <td className="nowrap">
        <button
          type="button"
          className="button-small button-primary"
          disabled={busy}
          onClick={() => void save()}
        >
          Save
        </button>{' '}
        <button type="button" className="button-small" onClick={() => setEditing(false)}>
          Cancel
        </button>
        <ErrorNotice error={error} title="Not saved" />
      </td>
    </tr>
  );
}
