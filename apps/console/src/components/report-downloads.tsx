import { useState } from 'react';
import { useClient } from '../api/session-context';
import { getEvaluationReport, unwrapFile } from '../api/studio';
import { saveBlob } from '../lib/download';
import { ErrorNotice } from './ui';

const FORMATS = [
  ['json', 'JSON'],
  ['csv', 'CSV'],
  ['md', 'Markdown'],
  ['html', 'HTML'],
  ['pdf', 'PDF'],
] as const;

/** Every report format GET /evaluations/{id}/report offers, of one run or of a comparison. */
export function ReportDownloads({
  evaluationId,
  compareTo,
}: {
  evaluationId: number;
  compareTo?: number;
}) {
  const client = useClient();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const download = async (format: (typeof FORMATS)[number][0]) => {
    setBusy(format);
    setError(null);
    try {
      const file = await unwrapFile(
        getEvaluationReport({
          client,
          path: { id: evaluationId },
          query: { format, ...(compareTo ? { compare_to: compareTo } : {}) },
          parseAs: 'blob',
        }),
        `evaluation-${evaluationId}${compareTo ? `-vs-${compareTo}` : ''}.${format}`,
      );
      saveBlob(file.blob, file.filename);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="downloads">
      <span className="downloads-label">{compareTo ? 'Comparison report:' : 'Report:'}</span>
      {FORMATS.map(([format, label]) => (
        <button
          key={format}
          type="button"
          className="button-small"
          disabled={busy !== null}
          onClick={() => void download(format)}
        >
          {busy === format ? `${label}…` : label}
        </button>
      ))}
      <ErrorNotice error={error} title="Download failed" />
    </div>
  );
}
