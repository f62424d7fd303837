import { type DragEvent, useId, useRef, useState } from 'react';
import { useClient, useLiveEvents } from '../api/session-context';
import {
  exportTestCases,
  fieldErrors,
  generateTestCases,
  type ImportReportDto,
  type ImportRowIssueDto,
  type ImportTestCasesDto,
  importTestCases,
  listSignatures,
  type ModelConfigDto,
  type TestCaseGenerationJobDto,
  unwrap,
  unwrapFile,
} from '../api/studio';
import { ModelConfigEditor } from '../components/model-config-editor';
import { ErrorNotice, Field, Section, ScrollArea, NumberField } from '../components/ui';
import { saveBlob } from '../lib/download';
import { useLoad } from '../lib/use-load';

type ImportFormat = NonNullable<ImportTestCasesDto['format']>;
const FORMATS: Array<[ImportFormat | '', string]> = [
  ['', 'Detect from the file'],
  ['csv', 'CSV'],
  ['json', 'JSON'],
  ['jsonl', 'JSON Lines'],
  ['promptfoo_yaml', 'promptfoo YAML'],
  ['promptfoo_csv', 'promptfoo CSV'],
];

function Issues({ title, issues }: { title: string; issues: ImportRowIssueDto[] }) {
  if (issues.length === 0) return null;
  return (
    <ScrollArea label={title}>
      <table className="issues">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Row</th>
            <th scope="col">Line</th>
            <th scope="col">Field</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {issues.map((i, n) => (
            <tr key={n}>
              <td>{i.row || 'file'}</td>
              <td>{i.line}</td>
              <td>{i.field ? <code>{i.field}</code> : '—'}</td>
              <td>{i.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollArea>
  );
}

function ImportReport({ report }: { report: ImportReportDto }) {
  return (
    <div className="import-report" data-testid="import-report">
      <p>
        <strong>{report.dry_run ? 'Dry run' : 'Imported'}</strong> ({report.format}): {report.rows}{' '}
        rows read, <strong>{report.imported}</strong>{' '}
        {report.dry_run ? 'would be imported' : 'imported'}, {report.skipped} skipped,{' '}
        {report.renamed} renamed, <strong>{report.rejected}</strong> rejected.
        {report.truncated ? ' Lists below are cut at their first entries.' : ''}
      </p>
      <Issues title="Rejected rows" issues={report.errors} />
      <Issues title="Skipped rows" issues={report.skipped_rows} />
      <Issues title="Warnings" issues={report.warnings} />
      {report.renames.length ? (
        <p className="small">
          Renamed: {report.renames.map((r) => `row ${r.row} ${r.from} → ${r.to}`).join('; ')}
        </p>
      ) : null}
      {report.suggested_metrics.length ? (
        <p className="small">
          Suggested metrics:{' '}
          {report.suggested_metrics.map((m) => `${m.metric} (${m.rows} rows)`).join(', ')}
        </p>
      ) : null}
    </div>
  );
}

/**
 * Import a file (dropped, or picked): a dry run first shows what each row would become, and
 * only "Import" writes.
 */
export function ImportPanel({
  projectId,
  onImported,
}: {
  projectId: number;
  onImported: () => void;
}) {
  const client = useClient();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const signatures = useLoad(
    () => unwrap(listSignatures({ client, query: { project_id: projectId, per_page: 100 } })),
    [client, projectId],
  );
  const [file, setFile] = useState<{ name: string; content: string } | null>(null);
  const [format, setFormat] = useState<ImportFormat | ''>('');
  const [onConflict, setOnConflict] = useState<'fail' | 'skip' | 'rename'>('fail');
  const [signatureId, setSignatureId] = useState('');
  const [report, setReport] = useState<ImportReportDto | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);

  const body = (content: string, name: string, dryRun: boolean): ImportTestCasesDto => ({
    project_id: projectId,
    content,
    filename: name,
    dry_run: dryRun,
    on_conflict: onConflict,
    ...(format ? { format } : {}),
    ...(signatureId ? { signature_id: Number(signatureId) } : {}),
  });

  const dryRun = async (chosen: { name: string; content: string }) => {
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      setReport(
        await unwrap(importTestCases({ client, body: body(chosen.content, chosen.name, true) })),
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const choose = async (picked: File | undefined) => {
    if (!picked) return;
    const chosen = { name: picked.name, content: await picked.text() };
    setFile(chosen);
    await dryRun(chosen);
  };
  const commit = async () => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const done = await unwrap(
        importTestCases({ client, body: body(file.content, file.name, false) }),
      );
      setReport(done);
      setFile(null);
      if (input.current) input.current.value = '';
      onImported();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const drop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    void choose(event.dataTransfer.files[0]);
  };

  return (
    <Section title="Import">
      <div
        className={`dropzone${dragging ? ' dropzone-active' : ''}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={drop}
      >
        <p>Drop a CSV, JSON, JSONL or promptfoo file here, or</p>
        <label htmlFor={`${id}-file`} className="button">
          Choose a file
        </label>
        <input
          ref={input}
          id={`${id}-file`}
          type="file"
          className="visually-hidden-input"
          accept=".csv,.json,.jsonl,.ndjson,.yaml,.yml,text/csv,application/json"
          onChange={(e) => void choose(e.target.files?.[0])}
        />
        {file ? <p className="small">Selected: {file.name}</p> : null}
      </div>
      <div className="grid-fields">
        <Field label="Format">
          {(p) => (
            <select
              {...p}
              value={format}
              onChange={(e) => setFormat(e.target.value as ImportFormat | '')}
            >
              {FORMATS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Name already taken">
          {(p) => (
            <select
              {...p}
              value={onConflict}
              onChange={(e) => setOnConflict(e.target.value as typeof onConflict)}
            >
              <option value="fail">Reject the row</option>
              <option value="skip">Skip the row</option>
              <option value="rename">Rename (name-2, …)</option>
            </select>
          )}
        </Field>
        <Field label="Check inputs against">
          {(p) => (
            <select {...p} value={signatureId} onChange={(e) => setSignatureId(e.target.value)}>
              <option value="">No signature</option>
              {signatures.data?.items.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {file && !busy ? (
        <button type="button" onClick={() => void dryRun(file)}>
          Check again with these options
        </button>
      ) : null}
      {busy ? <p role="status">Reading the file…</p> : null}
      <ErrorNotice error={error} title="Import failed" />
      <div aria-live="polite">{report ? <ImportReport report={report} /> : null}</div>
      {file && report?.dry_run ? (
        <div className="actions-row">
          <button
            type="button"
            className="button-primary"
            disabled={busy || report.imported === 0}
            onClick={() => void commit()}
          >
            Import {report.imported} {report.imported === 1 ? 'case' : 'cases'}
          </button>
          <button
            type="button"
            onClick={() => {
              setFile(null);
              setReport(null);
              if (input.current) input.current.value = '';
            }}
          >
            Cancel
          </button>
        </div>
      ) : null}
    </Section>
  );
}

export function ExportPanel({ projectId }: { projectId: number }) {
  const client = useClient();
  const [format, setFormat] = useState<'csv' | 'json' | 'jsonl'>('csv');
  const [goldenOnly, setGoldenOnly] = useState(false);
  const [tags, setTags] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const tagList = tags
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const file = await unwrapFile(
        exportTestCases({
          client,
          path: { project_id: projectId },
          body: { format, golden_only: goldenOnly, ...(tagList.length ? { tags: tagList } : {}) },
          parseAs: 'blob',
        }),
        `test-cases-${projectId}.${format}`,
      );
      saveBlob(file.blob, file.filename);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title="Export">
      <Field label="Format">
        {(p) => (
          <select
            {...p}
            value={format}
            onChange={(e) => setFormat(e.target.value as typeof format)}
          >
            <option value="csv">CSV</option>
            <option value="json">JSON</option>
            <option value="jsonl">JSON Lines</option>
          </select>
        )}
      </Field>
      <Field label="Only cases tagged (all of)">
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
      <ErrorNotice error={error} title="Export failed" />
      <button type="button" disabled={busy} onClick={() => void run()}>
        Download
      </button>
    </Section>
  );
}

type Strategy = 'diverse' | 'edge_cases' | 'from_description' | 'from_examples';

export function GeneratePanel({
  projectId,
  onGenerated,
}: {
  projectId: number;
  onGenerated: () => void;
}) {
  const client = useClient();
  const [num, setNum] = useState('10');
  const [strategy, setStrategy] = useState<Strategy>('diverse');
  const [generator, setGenerator] = useState<'auto' | 'llm' | 'deterministic'>('auto');
  const [description, setDescription] = useState('');
  const [golden, setGolden] = useState(false);
  const [model, setModel] = useState<ModelConfigDto | null>(null);
  const [job, setJob] = useState<TestCaseGenerationJobDto | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const errors = fieldErrors(error);

  useLiveEvents({ entity_type: 'project', entity_id: projectId }, (event) => {
    if (!job) return;
    if (event.type === 'test_cases_generated' && event.data.job_id === job.id) {
      setOutcome(
        `Generated ${event.data.count} of ${event.data.requested ?? event.data.count} cases.`,
      );
      setJob(null);
      onGenerated();
    } else if (event.type === 'job_failed' && event.data.job_id === job.id) {
      setOutcome(`Generation failed: ${event.data.error ?? 'unknown error'}`);
      setJob(null);
    }
  });

  const run = async () => {
    setError(null);
    setOutcome(null);
    try {
      setJob(
        await unwrap(
          generateTestCases({
            client,
            body: {
              project_id: projectId,
              num_cases: Number(num),
              strategy,
              generator,
              is_golden: golden,
              ...(description.trim() ? { description: description.trim() } : {}),
              ...(model ? { model_config: model } : {}),
            },
          }),
        ),
      );
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Section title="Generate">
      <div className="grid-fields">
        <NumberField
          label="Cases"
          error={errors.num_cases}
          min={1}
          max={500}
          value={num}
          onChange={setNum}
        />
        <Field label="Strategy" error={errors.strategy}>
          {(p) => (
            <select
              {...p}
              value={strategy}
              onChange={(e) => setStrategy(e.target.value as Strategy)}
            >
              <option value="diverse">Diverse</option>
              <option value="edge_cases">Edge cases</option>
              <option value="from_description">From a description</option>
              <option value="from_examples">From the project's examples</option>
            </select>
          )}
        </Field>
        <Field label="Writer" error={errors.generator}>
          {(p) => (
            <select
              {...p}
              value={generator}
              onChange={(e) => setGenerator(e.target.value as typeof generator)}
            >
              <option value="auto">A model if one is configured</option>
              <option value="llm">A model</option>
              <option value="deterministic">Typed generator (no model)</option>
            </select>
          )}
        </Field>
      </div>
      <Field label="Description" hint="What the cases should be about." error={errors.description}>
        {(p) => (
          <textarea
            {...p}
            rows={2}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        )}
      </Field>
      <label className="check">
        <input type="checkbox" checked={golden} onChange={(e) => setGolden(e.target.checked)} />
        Mark them golden
      </label>
      <ModelConfigEditor
        value={model}
        onChange={setModel}
        allowDefault="Default model"
        legend="Writer model"
      />
      <ErrorNotice error={error} title="Could not generate" />
      {job ? <p role="status">Generating (job {job.id})…</p> : null}
      {outcome ? (
        <p role="status" className="notice">
          {outcome}
        </p>
      ) : null}
      <button type="button" disabled={job !== null} onClick={() => void run()}>
        Generate
      </button>
    </Section>
  );
}
