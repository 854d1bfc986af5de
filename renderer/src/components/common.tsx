/** Small shared pieces: step frame, not-available state, error banner, modal dialog. */
import { useEffect, useRef, type ReactNode } from 'react';
import type { ContractError } from '../../../shared/contract/index.js';
import { fieldId } from '../lib/path.js';
import { useWizard } from '../stores/wizard.js';

export function StepFrame({ title, intro, children }: { title: string; intro?: ReactNode; children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    // A preflight link names a field: focus it. Otherwise move focus to the step's heading so
    // keyboard and screen-reader users start at the top.
    const target = useWizard.getState().focusField;
    const id = target ? fieldId(target) : undefined;
    // The field itself, or the first input inside it (a finding about a group names the group).
    const field = id ? (document.getElementById(id) ?? document.querySelector<HTMLElement>(`[id^="${id}-"]`)) : null;
    if (field) {
      field.focus();
      field.scrollIntoView?.({ block: 'center' });
    } else if (!document.activeElement || document.activeElement === document.body || document.activeElement.closest('nav, .wizard-nav'))
      ref.current?.focus();
  }, [title]);
  return (
    <section className="step" aria-labelledby="step-title">
      <h1 id="step-title" tabIndex={-1} ref={ref}>
        {title}
      </h1>
      {intro ? <div className="intro">{intro}</div> : null}
      {children}
    </section>
  );
}

export function NotAvailable({ what, reason }: { what: string; reason?: string }) {
  return (
    <div className="not-available" role="status" data-testid="not-available">
      <strong>{what} is not available in this build.</strong>
      <p>{reason ?? 'This step needs an engine that is not part of this build yet.'} Nothing is shown here rather than made-up data.</p>
    </div>
  );
}

export function ErrorBanner({ error }: { error: ContractError | undefined }) {
  if (!error) return null;
  return (
    <div className="error-banner" role="alert" data-testid="error-banner">
      <strong>{error.host ? `${error.host}: ` : ''}</strong>
      {error.message}
      {error.field ? <span className="field-ref"> (field {error.field})</span> : null}
    </div>
  );
}

/** A modal dialog: focus moves into it, Escape runs onCancel, Tab stays inside. */
export function Dialog({ title, children, onCancel, testId }: { title: string; children: ReactNode; onCancel(): void; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>('input, button, [tabindex]:not([tabindex="-1"])');
    first?.focus();
    return () => prev?.focus?.();
  }, []);
  return (
    <div className="backdrop">
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="dialog-title"
        data-testid={testId}
        ref={ref}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onCancel();
          }
          if (e.key === 'Tab' && ref.current) {
            const items = [
              ...ref.current.querySelectorAll<HTMLElement>('input, button, select, textarea, [tabindex]:not([tabindex="-1"])'),
            ].filter((x) => !x.hasAttribute('disabled'));
            const first = items[0];
            const last = items[items.length - 1];
            if (e.shiftKey && document.activeElement === first) {
              e.preventDefault();
              last?.focus();
            } else if (!e.shiftKey && document.activeElement === last) {
              e.preventDefault();
              first?.focus();
            }
          }
        }}
      >
        <h2 id="dialog-title">{title}</h2>
        {children}
      </div>
    </div>
  );
}

export function Confirm({
  title,
  body,
  confirmLabel,
  onConfirm,
  onCancel,
}: {
  title: string;
  body: ReactNode;
  confirmLabel: string;
  onConfirm(): void;
  onCancel(): void;
}) {
  return (
    <Dialog title={title} onCancel={onCancel} testId="confirm-dialog">
      <div className="dialog-body">{body}</div>
      <div className="dialog-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="primary" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
