import { useId } from 'react';
import { useMetricCatalog } from '../api/catalogs';
import type { MetricSpecDto } from '../api/studio';
import { ErrorNotice } from './ui';

/**
 * Metrics from GET /metrics/list as checkboxes with a weight each. Metrics that need an
 * embedding or judge model are listed with what they need.
 */
export function MetricPicker({
  value,
  onChange,
}: {
  value: MetricSpecDto[];
  onChange: (value: MetricSpecDto[]) => void;
}) {
  const catalog = useMetricCatalog();
  const id = useId();
  if (catalog.error) return <ErrorNotice error={catalog.error} title="Metrics unavailable" />;
  const chosen = new Map(value.map((m) => [m.name, m]));
  const toggle = (name: string, on: boolean) =>
    onChange(on ? [...value, { name }] : value.filter((m) => m.name !== name));
  const weigh = (name: string, raw: string) =>
    onChange(
      value.map((m) =>
        m.name === name
          ? raw === ''
            ? { name: m.name, ...(m.options ? { options: m.options } : {}) }
            : { ...m, weight: Number(raw) }
          : m,
      ),
    );
  return (
    <fieldset className="metric-picker">
      <legend>Metrics</legend>
      <div className="metric-grid">
        {(catalog.data ?? []).map((m) => (
          <div key={m.name} className="metric-option">
            <label className="check" title={m.description}>
              <input
                type="checkbox"
                checked={chosen.has(m.name)}
                onChange={(e) => toggle(m.name, e.target.checked)}
              />
              {m.name}
              {m.kind === 'dataset' ? <span className="muted small"> (dataset)</span> : null}
              {m.requires?.length ? (
                <span className="muted small"> needs {m.requires.join(', ')}</span>
              ) : null}
            </label>
            {chosen.has(m.name) && m.kind === 'per_case' ? (
              <span className="weight">
                <label htmlFor={`${id}-${m.name}`} className="sr-only">
                  Weight of {m.name}
                </label>
                <input
                  id={`${id}-${m.name}`}
                  type="number"
                  min={0}
                  step="0.1"
                  placeholder="weight 1"
                  value={chosen.get(m.name)?.weight ?? ''}
                  onChange={(e) => weigh(m.name, e.target.value)}
                />
              </span>
            ) : null}
          </div>
        ))}
      </div>
    </fieldset>
  );
}
