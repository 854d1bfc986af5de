/**
 * Labelled inputs bound to a site-file path. Errors come from the same findings as the CLI and show
 * once the field was edited or Next was pressed on the step.
 */
import { useId, useMemo, type ReactNode } from 'react';
import { fieldId } from '../lib/path.js';
import { draftValue, fieldErrors, useSite } from '../stores/site.js';
import { useWizard } from '../stores/wizard.js';

function useFieldState(path: string) {
  const value = useSite((s) => draftValue(s.draft, path));
  // Select the stable findings array, then filter: a selector must not return a new array each time.
  const findings = useSite((s) => s.findings);
  const errors = useMemo(() => fieldErrors(findings, path), [findings, path]);
  const touched = useSite((s) => Boolean(s.touched[path]));
  const attempted = useWizard((s) => Boolean(s.attempted[s.step]));
  const shown = touched || attempted ? errors : [];
  return { value, shown };
}

function Errors({ id, errors }: { id: string; errors: { message: string; fix: string; severity: string }[] }) {
  if (!errors.length) return null;
  return (
    <div id={id} className="field-error" data-testid="field-error">
      {errors.map((e, i) => (
        <p key={i} className={e.severity === 'warning' ? 'warn' : undefined}>
          {e.message} <span className="fix">Fix: {e.fix}</span>
        </p>
      ))}
    </div>
  );
}

export interface TextFieldProps {
  path: string;
  label: string;
  help?: ReactNode;
  kind?: 'text' | 'number';
  placeholder?: string;
  /** Accessible label only (in tables the column header is the visible label). */
  hideLabel?: boolean;
  autoComplete?: string;
}

function toValue(kind: 'text' | 'number', text: string): unknown {
  if (text.trim() === '') return undefined;
  if (kind === 'number') return /^\s*-?\d+\s*$/.test(text) ? Number(text) : text;
  return text;
}

export function TextField({ path, label, help, kind = 'text', placeholder, hideLabel, autoComplete = 'off' }: TextFieldProps) {
  const { value, shown } = useFieldState(path);
  const setField = useSite((s) => s.setField);
  const touch = useSite((s) => s.touch);
  const id = fieldId(path);
  const errId = `${id}-err`;
  const helpId = useId();
  const invalid = shown.some((e) => e.severity === 'error');
  return (
    <div className={`field${invalid ? ' invalid' : ''}${hideLabel ? ' compact' : ''}`}>
      <label htmlFor={id} className={hideLabel ? 'sr-only' : undefined}>
        {label}
      </label>
      <input
        id={id}
        name={path}
        type="text"
        inputMode={kind === 'number' ? 'numeric' : undefined}
        value={value === undefined || value === null ? '' : String(value)}
        placeholder={placeholder}
        autoComplete={autoComplete}
        spellCheck={false}
        aria-invalid={invalid || undefined}
        aria-describedby={[shown.length ? errId : '', help ? helpId : ''].filter(Boolean).join(' ') || undefined}
        onChange={(e) => setField(path, toValue(kind, e.target.value))}
        onBlur={() => touch(path)}
      />
      {help ? (
        <p id={helpId} className="help">
          {help}
        </p>
      ) : null}
      <Errors id={errId} errors={shown} />
    </div>
  );
}

export interface SelectFieldProps {
  path: string;
  label: string;
  options: readonly { value: string; label: string }[];
  help?: ReactNode;
  hideLabel?: boolean;
}

export function SelectField({ path, label, options, help, hideLabel }: SelectFieldProps) {
  const { value, shown } = useFieldState(path);
  const setField = useSite((s) => s.setField);
  const id = fieldId(path);
  const helpId = useId();
  const invalid = shown.some((e) => e.severity === 'error');
  return (
    <div className={`field${invalid ? ' invalid' : ''}${hideLabel ? ' compact' : ''}`}>
      <label htmlFor={id} className={hideLabel ? 'sr-only' : undefined}>
        {label}
      </label>
      <select
        id={id}
        name={path}
        value={typeof value === 'string' ? value : ''}
        aria-invalid={invalid || undefined}
        aria-describedby={[shown.length ? `${id}-err` : '', help ? helpId : ''].filter(Boolean).join(' ') || undefined}
        onChange={(e) => setField(path, e.target.value || undefined)}
      >
        {value === undefined ? <option value="">Choose…</option> : null}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {help ? (
        <p id={helpId} className="help">
          {help}
        </p>
      ) : null}
      <Errors id={`${id}-err`} errors={shown} />
    </div>
  );
}

/** Findings about a group (a table, a list) rather than one input. */
export function GroupErrors({ path }: { path: string }) {
  const { shown } = useFieldState(path);
  return <Errors id={`${fieldId(path)}-err`} errors={shown} />;
}
