import { Fragment } from 'react';
import { type DiffItem, diffLines } from '../lib/sequence-diff';
import { pretty } from '../lib/format';

function Words({ words, side }: { words: DiffItem[]; side: 'del' | 'add' }) {
  return (
    <>
      {words.map((w, i) => {
        if (w.op === 'same') return <Fragment key={i}>{w.text}</Fragment>;
        if (w.op !== side) return null;
        return side === 'del' ? <del key={i}>{w.text}</del> : <ins key={i}>{w.text}</ins>;
      })}
    </>
  );
}

/** A line diff of two texts, words highlighted inside changed lines; markers are not colour alone. */
export function DiffView({
  before,
  after,
  label,
  showSame = false,
}: {
  before: string;
  after: string;
  label: string;
  /** When both are the same, show the text itself (outputs) rather than only say so. */
  showSame?: boolean;
}) {
  if (before === after) {
    if (!showSame) return <p className="muted">No differences in {label.toLowerCase()}.</p>;
    return (
      <div>
        <pre>{before || '—'}</pre>
        <small className="muted">The same in A and B.</small>
      </div>
    );
  }
  const lines = diffLines(before, after);
  return (
    <div className="diff" role="group" aria-label={`Differences in ${label.toLowerCase()}`}>
      {lines.map((line, i) => (
        <div key={i} className={`diff-line diff-${line.op}`}>
          <span className="diff-marker" aria-hidden="true">
            {line.op === 'add' ? '+' : line.op === 'del' ? '−' : ' '}
          </span>
          <span className="sr-only">
            {line.op === 'add' ? 'Added: ' : line.op === 'del' ? 'Removed: ' : ''}
          </span>
          <span className="diff-text">
            {line.words && line.op !== 'same' ? (
              <Words words={line.words} side={line.op} />
            ) : (
              line.text || '\u00a0'
            )}
          </span>
        </div>
      ))}
    </div>
  );
}

export interface PromptContent {
  system_prompt: string | null;
  user_prompt: string;
  few_shot_examples: unknown[];
  model_config: unknown;
}

/** Field by field: what changed between two prompts (versions, or a candidate and its seed). */
export function PromptDiff({
  before,
  after,
  beforeLabel,
  afterLabel,
}: {
  before: PromptContent;
  after: PromptContent;
  beforeLabel: string;
  afterLabel: string;
}) {
  const fields: Array<[string, string, string]> = [
    ['System prompt', before.system_prompt ?? '', after.system_prompt ?? ''],
    ['User prompt', before.user_prompt, after.user_prompt],
    [
      'Few-shot examples',
      before.few_shot_examples.length ? pretty(before.few_shot_examples) : '',
      after.few_shot_examples.length ? pretty(after.few_shot_examples) : '',
    ],
    ['Model', pretty(before.model_config ?? 'none'), pretty(after.model_config ?? 'none')],
  ];
  const changed = fields.filter(([, a, b]) => a !== b);
  return (
    <div className="prompt-diff">
      <p className="diff-legend">
        <span className="legend-del">− {beforeLabel}</span>{' '}
        <span className="legend-add">+ {afterLabel}</span>
      </p>
      {changed.length === 0 ? (
        <p>The two are identical.</p>
      ) : (
        changed.map(([label, a, b]) => (
          <div key={label} className="diff-field">
            <h3>{label}</h3>
            <DiffView before={a} after={b} label={label} />
          </div>
        ))
      )}
      {changed.length > 0 && changed.length < fields.length ? (
        <p className="muted">
          Unchanged:{' '}
          {fields
            .filter(([, a, b]) => a === b)
            .map(([l]) => l.toLowerCase())
            .join(', ')}
          .
        </p>
      ) : null}
    </div>
  );
}
