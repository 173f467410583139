import { ISSUANCE_FORMS } from '#shared/routing/catalogue.ts';
import {
  createDocumentType,
  type DocumentTypeInput,
  deleteDocumentType,
  type EditableDocumentType,
  listEditableDocumentTypes,
  updateDocumentType,
} from '../../admin-api.ts';
import { SelectField, TextField } from './form-field.tsx';
import {
  ReferenceEditor,
  ReferenceForm,
  type ReferenceFormProps,
  useDraft,
} from './reference-editor.tsx';
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

/** The document-type catalogue: search, create, edit, delete, as in the directory. */
export function CatalogueEditor() {
  const at = useAdminT();
  return (
    <ReferenceEditor
      id="catalogue"
      title={at('catTitle')}
      searchLabel={at('catSearch')}
      newLabel={at('catNew')}
      count={(count) => at('catCount', { count })}
      load={listEditableDocumentTypes}
      create={createDocumentType}
      update={updateDocumentType}
      remove={deleteDocumentType}
      searchText={(t) => [t.name, t.code, t.abbreviation ?? '']}
      columns={[
        { header: at('abbreviation'), cell: (t) => t.abbreviation ?? '—' },
        { header: at('colForm'), cell: (t) => at(`issuanceForm_${t.issuanceForm}`) },
        { header: at('colRetention'), cell: (t) => t.retentionYears },
      ]}
      fields={FIELDS}
      Form={TypeForm}
    />
  );
}

function TypeForm(props: ReferenceFormProps<EditableDocumentType, DocumentTypeInput>) {
  const at = useAdminT();
  const { editing, errorFor } = props;
  const { draft: d, set } = useDraft(editing, EMPTY, draftOf);
  return (
    <ReferenceForm
      id="type-form"
      title={
        editing.mode === 'edit' ? at('catFormEdit', { name: editing.item.name }) : at('catFormNew')
      }
      busy={props.busy}
      input={() => documentTypeInputOf(d)}
      onSave={props.onSave}
      onCancel={props.onCancel}
    >
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
    </ReferenceForm>
  );
}
