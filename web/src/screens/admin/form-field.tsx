import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { fieldErrorsOf, isStaleEdit } from '../../admin-api.ts';
import { ApiError } from '../../api.ts';
import { useAdminT } from './use-admin-t.ts';

/** `signerOrganizations[1]` is shown beside the `signerOrganizations` field. */
export const fieldOf = (path: string) => path.replace(/\[\d+\]/g, '');

interface FieldProps {
  /** The API's field path (`focalPoint.email`): a 400's details are matched on it. */
  readonly name: string;
  readonly label: string;
  readonly hint?: string;
  readonly error?: string | undefined;
}

const describedBy = (name: string, hint: unknown, error: unknown) =>
  [hint ? `${name}-hint` : '', error ? `${name}-error` : ''].filter(Boolean).join(' ') || undefined;

function FieldNotes({ name, hint, error }: Pick<FieldProps, 'name' | 'hint' | 'error'>) {
  return (
    <>
      {hint ? <small id={`${name}-hint`}>{hint}</small> : null}
      {error ? (
        <small id={`${name}-error`} class="field-error">
          {error}
        </small>
      ) : null}
    </>
  );
}

export function TextField(
  props: FieldProps & {
    readonly value: string;
    readonly onInput: (value: string) => void;
    readonly type?: 'text' | 'email' | 'tel';
    /** `numeric` brings up a digit keyboard; the API judges the value. */
    readonly inputMode?: 'numeric';
    readonly required?: boolean;
    readonly readOnly?: boolean;
  },
) {
  const common = {
    id: `field-${props.name}`,
    name: props.name,
    inputMode: props.inputMode,
    value: props.value,
    required: props.required,
    readOnly: props.readOnly,
    'aria-invalid': props.error ? ('true' as const) : undefined,
    'aria-describedby': describedBy(props.name, props.hint, props.error),
    onInput: (e: { currentTarget: HTMLInputElement }) => props.onInput(e.currentTarget.value),
  };
  return (
    <div class="field">
      <label for={common.id}>{props.label}</label>
      {props.type === 'email' ? (
        <input type="email" {...common} />
      ) : props.type === 'tel' ? (
        <input type="tel" {...common} />
      ) : (
        <input type="text" {...common} />
      )}
      <FieldNotes name={props.name} hint={props.hint} error={props.error} />
    </div>
  );
}

export function TextAreaField(
  props: FieldProps & { readonly value: string; readonly onInput: (value: string) => void },
) {
  return (
    <div class="field">
      <label for={`field-${props.name}`}>{props.label}</label>
      <textarea
        id={`field-${props.name}`}
        name={props.name}
        rows={3}
        value={props.value}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, props.hint, props.error)}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      <FieldNotes name={props.name} hint={props.hint} error={props.error} />
    </div>
  );
}

export function SelectField<T extends string>(
  props: FieldProps & {
    readonly value: T;
    readonly options: readonly { readonly value: T; readonly label: string }[];
    readonly onChange: (value: T) => void;
  },
) {
  return (
    <div class="field">
      <label for={`field-${props.name}`}>{props.label}</label>
      <select
        id={`field-${props.name}`}
        name={props.name}
        value={props.value}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, props.hint, props.error)}
        onChange={(e) => {
          const chosen = props.options.find((o) => o.value === e.currentTarget.value);
          if (chosen) props.onChange(chosen.value);
        }}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldNotes name={props.name} hint={props.hint} error={props.error} />
    </div>
  );
}

/** What the last save or delete left to say. */
export type Outcome =
  | { readonly kind: 'idle' }
  | { readonly kind: 'done'; readonly message: string }
  | { readonly kind: 'stale' }
  | { readonly kind: 'invalid'; readonly fields: ReadonlyMap<string, string> }
  | { readonly kind: 'failed'; readonly message: string };

/**
 * Runs an edit and sorts its failure: 409 is someone else's change (reload), 400 carries field
 * errors, anything else is said as it is.
 */
export function useEdit() {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  const run = async (action: () => Promise<unknown>, done: string): Promise<boolean> => {
    setBusy(true);
    try {
      await action();
      setOutcome({ kind: 'done', message: done });
      return true;
    } catch (error) {
      if (isStaleEdit(error)) setOutcome({ kind: 'stale' });
      else if (error instanceof ApiError && error.status === 400 && error.details.length > 0) {
        const fields = new Map<string, string>();
        for (const [path, message] of fieldErrorsOf(error)) {
          const field = fieldOf(path);
          const previous = fields.get(field);
          fields.set(field, previous === undefined ? message : `${previous}; ${message}`);
        }
        setOutcome({ kind: 'invalid', fields });
      } else {
        setOutcome({
          kind: 'failed',
          message: error instanceof Error ? error.message : String(error),
        });
      }
      return false;
    } finally {
      setBusy(false);
    }
  };
  const errorFor = (name: string): string | undefined =>
    outcome.kind === 'invalid' ? outcome.fields.get(name) : undefined;
  return { busy, outcome, run, errorFor, reset: () => setOutcome({ kind: 'idle' }) };
}

/**
 * The announcement of an edit's outcome: polite for success, an alert for a failure. A stale
 * edit offers to reload; field errors not shown beside a field of `fields` are listed here.
 */
export function EditOutcome(props: {
  outcome: Outcome;
  fields: readonly string[];
  onReload: () => void;
  children?: ComponentChildren;
}) {
  const at = useAdminT();
  const { outcome } = props;
  return (
    <div aria-live="polite">
      {outcome.kind === 'done' ? <p role="status">{outcome.message}</p> : null}
      {outcome.kind === 'stale' ? (
        <div role="alert" class="notice-error">
          <p>{at('staleEdit')}</p>
          <button type="button" onClick={props.onReload}>
            {at('reload')}
          </button>
        </div>
      ) : null}
      {outcome.kind === 'invalid' ? (
        <div role="alert" class="notice-error">
          <p>{at('fieldErrors', { count: outcome.fields.size })}</p>
          <ul>
            {[...outcome.fields]
              .filter(([field]) => !props.fields.includes(field))
              .map(([field, message]) => (
                <li key={field}>{at('otherErrors', { message: `${field} ${message}` })}</li>
              ))}
          </ul>
        </div>
      ) : null}
      {outcome.kind === 'failed' ? (
        <p role="alert" class="notice-error">
          {at('requestFailed', { message: outcome.message })}
        </p>
      ) : null}
      {props.children}
    </div>
  );
}
