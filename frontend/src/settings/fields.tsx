// Small form pieces the settings editors share: a list typed as text (one item per line, or
// separated by commas), a number that may be left empty, and the API's field errors listed at
// the top of a form (each also shown next to its field).
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api';
import { t } from '../i18n';
import { useId } from '../ui/kit';

/** splitList reads a typed list: one item per line, or (inline) separated by commas. */
export function splitList(raw: string, lines: boolean): string[] {
  return raw
    .split(lines ? /\n/ : /[,\n]/)
    .map((x) => x.trim())
    .filter(Boolean);
}

interface ListFieldProps {
  label: string;
  value: string[];
  onChange: (v: string[]) => void;
  /** one item per line (a textarea) rather than comma-separated (an input) */
  lines?: boolean;
  hint?: string;
  error?: string;
  placeholder?: string;
  testid?: string;
}

/** ListField edits a list of strings as text, keeping what is typed until it parses differently. */
export function ListField({ label, value, onChange, lines, hint, error, placeholder, testid }: ListFieldProps) {
  const id = useId('lf');
  const join = (v: string[]) => v.join(lines ? '\n' : ', ');
  const [raw, setRaw] = useState(join(value));
  useEffect(() => {
    if (JSON.stringify(splitList(raw, !!lines)) !== JSON.stringify(value)) setRaw(join(value));
  }, [JSON.stringify(value)]);
  const input = (v: string) => {
    setRaw(v);
    onChange(splitList(v, !!lines));
  };
  return (
    <div class={'field' + (error ? ' has-error' : '')}>
      <label for={id}>{label}</label>
      {lines ? (
        <textarea id={id} rows={3} value={raw} placeholder={placeholder} onInput={(e) => input((e.currentTarget as HTMLTextAreaElement).value)} aria-invalid={!!error} data-testid={testid} />
      ) : (
        <input id={id} value={raw} placeholder={placeholder} onInput={(e) => input((e.currentTarget as HTMLInputElement).value)} aria-invalid={!!error} data-testid={testid} />
      )}
      {hint && <div class="hint">{hint}</div>}
      {error && (
        <div class="field-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

/** NumberField edits a number; with optional, an empty field means null (no limit). */
export function NumberField({ label, value, onChange, min, max, optional, hint, error, testid }: { label: string; value: number | null; onChange: (v: number | null) => void; min?: number; max?: number; optional?: boolean; hint?: string; error?: string; testid?: string }) {
  const id = useId('nf');
  return (
    <div class={'field' + (error ? ' has-error' : '')}>
      <label for={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={min}
        max={max}
        value={value === null ? '' : value}
        placeholder={optional ? t('voiceEd.noLimit') : undefined}
        onInput={(e) => {
          const v = (e.currentTarget as HTMLInputElement).value;
          onChange(v === '' ? (optional ? null : 0) : Number(v));
        }}
        aria-invalid={!!error}
        data-testid={testid}
      />
      {hint && <div class="hint">{hint}</div>}
      {error && <div class="field-error">{error}</div>}
    </div>
  );
}

/** ErrorSummary lists every field error of a refused save, so none is missed below. */
export function ErrorSummary({ err, strip = '' }: { err: ApiError | null; strip?: string }) {
  if (!err) return null;
  const entries = Object.entries(err.fields);
  return (
    <div class="form-error" role="alert" data-testid="form-errors">
      <div>{err.message}</div>
      {entries.length > 0 && (
        <ul class="error-list">
          {entries.map(([k, v]) => (
            <li key={k}>
              <code>{k.startsWith(strip) ? k.slice(strip.length) : k}</code>: {v}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
