import { useMemo, useState } from 'preact/hooks';
import { ISSUANCE_FORMS } from '#shared/routing/catalogue.ts';
import {
  adminRequest,
  createDocumentType,
  type DocumentTypeInput,
  deleteDocumentType,
  type EditableDocumentType,
  listEditableDocumentTypes,
  updateDocumentType,
} from '../../admin-api.ts';
import { AsyncView } from '../../components/async-view.tsx';
import { useWorkspace } from '../../context.ts';
import { useAsync } from '../../use-async.ts';
import { EditOutcome, matches, SelectField, TextField, useEdit } from './form-field.tsx';
import { useAdminT } from './use-admin-t.ts';

type IssuanceForm = (typeof ISSUANCE_FORMS)[number];

interface Draft {
  code: string;
  name: string;
  abbreviation: string;
  issuanceForm: IssuanceForm;
  retentionYears: string;
}

const EMPTY: Draft = {
  code: '',
  name: '',
  abbreviation: '',
  issuanceForm: 'electronic-and-paper',
  retentionYears: '10',
};

const draftOf = (type: EditableDocumentType): Draft => ({
  code: type.code,
  name: type.name,
  abbreviation: type.abbreviation ?? '',
  issuanceForm: type.issuanceForm,
  retentionYears: String(type.retentionYears),
});

/** An empty abbreviation is null (công văn); the years go as typed, for the API to judge. */
export const documentTypeInputOf = (d: Draft): DocumentTypeInput => ({
  code: d.code.trim(),
  name: d.name.trim(),
  abbreviation: d.abbreviation.trim() === '' ? null : d.abbreviation.trim(),
  issuanceForm: d.issuanceForm,
  retentionYears: Number(d.retentionYears),
});

const FIELDS = ['code', 'name', 'abbreviation', 'issuanceForm', 'retentionYears'] as const;

type Editing =
  | { readonly mode: 'closed' }
  | { readonly mode: 'create' }
  | { readonly mode: 'edit'; readonly type: EditableDocumentType };

/**
 * The document-type catalogue: search, create, edit, delete. As in the directory, edits carry
 * the listed version and a 409 asks for a reload.
 */
export function CatalogueEditor() {
  const workspace = useWorkspace();
  const at = useAdminT();
  const request = useMemo(() => adminRequest(workspace), [workspace]);
  const { state, reload } = useAsync(() => listEditableDocumentTypes(request), [request]);
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<Editing>({ mode: 'closed' });
  const [confirming, setConfirming] = useState<EditableDocumentType | undefined>();
  const edit = useEdit();

  const reloadAll = () => {
    edit.reset();
    setEditing({ mode: 'closed' });
    setConfirming(undefined);
    reload();
  };

  const remove = async (type: EditableDocumentType) => {
    const ok = await edit.run(
      () => deleteDocumentType(request, type.code, type.version),
      at('deleted', { name: type.name }),
    );
    setConfirming(undefined);
    if (ok) reload();
  };

  return (
    <section aria-labelledby="catalogue-title">
      <h2 id="catalogue-title">{at('catTitle')}</h2>
      <EditOutcome
        outcome={edit.outcome}
        fields={editing.mode === 'closed' ? [] : FIELDS}
        onReload={reloadAll}
      />
      <AsyncView state={state} reload={reload}>
        {({ items }) => {
          const shown = items.filter((t) => matches(query, t.name, t.code, t.abbreviation ?? ''));
          return (
            <>
              <div class="grid">
                <label>
                  {at('catSearch')}
                  <input
                    type="search"
                    value={query}
                    onInput={(e) => setQuery(e.currentTarget.value)}
                    autocomplete="off"
                  />
                </label>
                <div>
                  <button
                    type="button"
                    onClick={() => {
                      edit.reset();
                      setEditing({ mode: 'create' });
                    }}
                  >
                    {at('catNew')}
                  </button>
                </div>
              </div>
              {editing.mode === 'closed' ? null : (
                <TypeForm
                  key={editing.mode === 'edit' ? editing.type.code : '(new)'}
                  editing={editing}
                  busy={edit.busy}
                  errorFor={edit.errorFor}
                  onCancel={() => setEditing({ mode: 'closed' })}
                  onSave={async (input) => {
                    const ok = await edit.run(
                      () =>
                        editing.mode === 'edit'
                          ? updateDocumentType(request, input, editing.type.version)
                          : createDocumentType(request, input),
                      at('saved', { name: input.name }),
                    );
                    if (ok) {
                      setEditing({ mode: 'closed' });
                      reload();
                    }
                  }}
                />
              )}
              <p aria-live="polite">{at('catCount', { count: shown.length })}</p>
              {shown.length === 0 ? <p>{at('listNoMatch')}</p> : null}
              <div class="overflow-auto">
                <table class="striped">
                  <thead>
                    <tr>
                      <th scope="col">{at('colCode')}</th>
                      <th scope="col">{at('colName')}</th>
                      <th scope="col">{at('abbreviation')}</th>
                      <th scope="col">{at('colForm')}</th>
                      <th scope="col">{at('colRetention')}</th>
                      <th scope="col">{at('colActions')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((type) => (
                      <tr key={type.code}>
                        <td>
                          <code>{type.code}</code>
                        </td>
                        <th scope="row">{type.name}</th>
                        <td>{type.abbreviation ?? '—'}</td>
                        <td>{at(`issuanceForm_${type.issuanceForm}`)}</td>
                        <td>{type.retentionYears}</td>
                        <td>
                          {confirming?.code === type.code ? (
                            <div class="confirm">
                              <p>{at('confirmDelete', { name: type.name })}</p>
                              <button
                                type="button"
                                disabled={edit.busy}
                                onClick={() => remove(type)}
                              >
                                {at('confirm')}
                              </button>{' '}
                              <button
                                type="button"
                                class="secondary"
                                onClick={() => setConfirming(undefined)}
                              >
                                {at('cancel')}
                              </button>
                            </div>
                          ) : (
                            <>
                              <button
                                type="button"
                                class="outline"
                                aria-label={at('dirEdit', { name: type.name })}
                                onClick={() => {
                                  edit.reset();
                                  setEditing({ mode: 'edit', type });
                                }}
                              >
                                {at('edit')}
                              </button>{' '}
                              <button
                                type="button"
                                class="outline secondary"
                                aria-label={at('dirDelete', { name: type.name })}
                                onClick={() => {
                                  edit.reset();
                                  setConfirming(type);
                                }}
                              >
                                {at('delete')}
                              </button>
                            </>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          );
        }}
      </AsyncView>
    </section>
  );
}

function TypeForm(props: {
  editing: Exclude<Editing, { mode: 'closed' }>;
  busy: boolean;
  errorFor: (field: string) => string | undefined;
  onCancel: () => void;
  onSave: (input: DocumentTypeInput) => Promise<void>;
}) {
  const at = useAdminT();
  const { editing, errorFor } = props;
  const [d, setDraft] = useState<Draft>(editing.mode === 'edit' ? draftOf(editing.type) : EMPTY);
  const set =
    <K extends keyof Draft>(field: K) =>
    (value: Draft[K]) =>
      setDraft((current) => ({ ...current, [field]: value }));
  return (
    <form
      aria-labelledby="type-form-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void props.onSave(documentTypeInputOf(d));
      }}
    >
      <h3 id="type-form-title">
        {editing.mode === 'edit'
          ? at('catFormEdit', { name: editing.type.name })
          : at('catFormNew')}
      </h3>
      <div class="grid">
        <TextField
          name="code"
          label={at('typeCode')}
          hint={at('typeCodeHint')}
          value={d.code}
          onInput={set('code')}
          readOnly={editing.mode === 'edit'}
          required
          error={errorFor('code')}
        />
        <TextField
          name="abbreviation"
          label={at('abbreviation')}
          hint={at('abbreviationHint')}
          value={d.abbreviation}
          onInput={set('abbreviation')}
          error={errorFor('abbreviation')}
        />
      </div>
      <TextField
        name="name"
        label={at('typeName')}
        value={d.name}
        onInput={set('name')}
        required
        error={errorFor('name')}
      />
      <div class="grid">
        <SelectField
          name="issuanceForm"
          label={at('issuanceForm')}
          value={d.issuanceForm}
          options={ISSUANCE_FORMS.map((f) => ({ value: f, label: at(`issuanceForm_${f}`) }))}
          onChange={set('issuanceForm')}
          error={errorFor('issuanceForm')}
        />
        <TextField
          name="retentionYears"
          inputMode="numeric"
          label={at('retentionYears')}
          value={d.retentionYears}
          onInput={set('retentionYears')}
          error={errorFor('retentionYears')}
        />
      </div>
      <div class="grid">
        <button type="submit" disabled={props.busy} aria-busy={props.busy ? 'true' : undefined}>
          {at('save')}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          {at('cancel')}
        </button>
      </div>
    </form>
  );
}
