import { useId, useState } from 'react';
import type { ModelConfigDto, ModelParameters, ProviderDto } from '../api/studio';
import { useProviders } from '../api/catalogs';
import { ErrorNotice } from './ui';

type Provider = ModelConfigDto['provider'];

/** Sampling parameters with their own inputs; anything else goes in the JSON box. */
const NUMERIC: Array<{ key: 'temperature' | 'max_tokens' | 'top_p'; label: string; step: string }> =
  [
    { key: 'temperature', label: 'Temperature', step: '0.1' },
    { key: 'max_tokens', label: 'Max tokens', step: '1' },
    { key: 'top_p', label: 'Top p', step: '0.05' },
  ];

function providerLabel(p: ProviderDto): string {
  if (p.configured) return p.label;
  return `${p.label} (not configured${p.missing ? `: set ${p.missing}` : ''})`;
}

function extraParameters(parameters: ModelParameters | undefined): string {
  if (!parameters) return '';
  const rest = Object.fromEntries(
    Object.entries(parameters).filter(([k]) => !NUMERIC.some((n) => n.key === k)),
  );
  return Object.keys(rest).length ? JSON.stringify(rest, null, 2) : '';
}

/**
 * Provider, model and parameters from GET /providers/list. Unconfigured providers are listed
 * (named with the variable they lack) but cannot be picked. `value: null` means "the prompt
 * version's own model" when `allowDefault` says what that is.
 */
export function ModelConfigEditor({
  value,
  onChange,
  allowDefault,
  legend = 'Model',
}: {
  value: ModelConfigDto | null;
  onChange: (value: ModelConfigDto | null) => void;
  allowDefault?: string;
  legend?: string;
}) {
  const providers = useProviders();
  const id = useId();
  const [extra, setExtra] = useState(() => extraParameters(value?.parameters));
  const [extraError, setExtraError] = useState<string | null>(null);

  // Another provider or model (chosen, or another prompt loaded) resets the JSON box.
  const modelKey = `${value?.provider ?? ''}/${value?.model ?? ''}`;
  const [shownFor, setShownFor] = useState(modelKey);
  if (shownFor !== modelKey) {
    setShownFor(modelKey);
    setExtra(extraParameters(value?.parameters));
    setExtraError(null);
  }

  if (providers.error) return <ErrorNotice error={providers.error} title="Providers unavailable" />;
  const list = providers.data ?? [];
  const current = value ? list.find((p) => p.id === value.provider) : undefined;

  const choose = (providerId: string) => {
    if (providerId === '') return onChange(null);
    const p = list.find((x) => x.id === providerId);
    if (!p) return;
    onChange({ provider: p.id as Provider, model: p.models[0] ?? '', parameters: {} });
  };
  const setParam = (key: string, raw: string) => {
    if (!value) return;
    const parameters: Record<string, unknown> = { ...(value.parameters ?? {}) };
    if (raw === '') delete parameters[key];
    else parameters[key] = Number(raw);
    onChange({ ...value, parameters });
  };
  const applyExtra = (text: string) => {
    if (!value) return;
    let parsed: Record<string, unknown> = {};
    if (text.trim() !== '') {
      try {
        const json: unknown = JSON.parse(text);
        if (json === null || typeof json !== 'object' || Array.isArray(json)) {
          throw new Error('must be a JSON object');
        }
        parsed = json as Record<string, unknown>;
      } catch (err) {
        setExtraError(`Other parameters: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
    }
    setExtraError(null);
    const kept = Object.fromEntries(
      Object.entries(value.parameters ?? {}).filter(([k]) => NUMERIC.some((n) => n.key === k)),
    );
    onChange({ ...value, parameters: { ...kept, ...parsed } });
  };

  return (
    <fieldset className="model-config">
      <legend>{legend}</legend>
      <div className="grid-fields">
        <div className="field">
          <label htmlFor={`${id}-provider`}>Provider</label>
          <select
            id={`${id}-provider`}
            value={value?.provider ?? ''}
            onChange={(e) => choose(e.target.value)}
          >
            {allowDefault !== undefined || !value ? (
              <option value="">{allowDefault ?? 'Choose a provider'}</option>
            ) : null}
            {list.map((p) => (
              <option key={p.id} value={p.id} disabled={!p.configured}>
                {providerLabel(p)}
              </option>
            ))}
          </select>
        </div>
        {value && (
          <div className="field">
            <label htmlFor={`${id}-model`}>Model</label>
            {current?.any_model || !current?.models.length ? (
              <>
                <input
                  id={`${id}-model`}
                  value={value.model}
                  list={`${id}-models`}
                  onChange={(e) => onChange({ ...value, model: e.target.value })}
                />
                <datalist id={`${id}-models`}>
                  {current?.models.map((m) => (
                    <option key={m} value={m} />
                  ))}
                </datalist>
              </>
            ) : (
              <select
                id={`${id}-model`}
                value={value.model}
                onChange={(e) => onChange({ ...value, model: e.target.value })}
              >
                {current.models.includes(value.model) ? null : (
                  <option value={value.model}>{value.model}</option>
                )}
                {current.models.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            )}
          </div>
        )}
        {value &&
          NUMERIC.filter((n) => !current || current.parameters.includes(n.key)).map((n) => (
            <div className="field" key={n.key}>
              <label htmlFor={`${id}-${n.key}`}>{n.label}</label>
              <input
                id={`${id}-${n.key}`}
                type="number"
                step={n.step}
                min={0}
                placeholder="default"
                value={
                  (value.parameters as Record<string, unknown> | undefined)?.[n.key] === undefined
                    ? ''
                    : String((value.parameters as Record<string, unknown>)[n.key])
                }
                onChange={(e) => setParam(n.key, e.target.value)}
              />
            </div>
          ))}
      </div>
      {value && (
        <div className="field">
          <label htmlFor={`${id}-extra`}>Other parameters (JSON)</label>
          <textarea
            id={`${id}-extra`}
            rows={2}
            className="mono"
            value={extra}
            placeholder={
              current?.id === 'mock'
                ? '{"delay_ms": 50, "responses": {"question": "answer"}}'
                : '{}'
            }
            aria-describedby={`${id}-extra-hint`}
            onChange={(e) => setExtra(e.target.value)}
            onBlur={(e) => applyExtra(e.target.value)}
          />
          <small id={`${id}-extra-hint`} className="muted">
            Accepted: {current?.parameters.join(', ') || '—'}
          </small>
          {extraError ? <small className="field-error">{extraError}</small> : null}
        </div>
      )}
    </fieldset>
  );
}
