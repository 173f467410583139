import { AGENCY_KINDS, CHANNELS } from '#shared/routing/directory.ts';
import {
  type AgencyInput,
  createAgency,
  deleteAgency,
  type EditableAgency,
  listEditableAgencies,
  updateAgency,
} from '../../admin-api.ts';
import { isAdminMessageKey } from '../../i18n-admin.ts';
import { SelectField, TextAreaField, TextField } from './form-field.tsx';
import {
  ReferenceEditor,
  ReferenceForm,
  type ReferenceFormProps,
  useDraft,
} from './reference-editor.tsx';
import { useAdminT } from './use-admin-t.ts';

type Kind = (typeof AGENCY_KINDS)[number];
type Channel = (typeof CHANNELS)[number];
type KeyKind = 'none' | 'kms' | 'pkcs11' | 'file';
type ChainKind = 'object' | 'file';

/** The form's state: every field as typed, turned into the API's body on save. */
interface Draft {
  code: string;
  codeStatus: 'official' | 'illustrative';
  name: string;
  kind: Kind;
  channel: Channel;
  enrolment: string;
  signerOrganizations: string;
  focalName: string;
  focalEmail: string;
  focalPhone: string;
  keyKind: KeyKind;
  keyId: string;
  tokenLabel: string;
  keyLabel: string;
  keyPath: string;
  chainKind: ChainKind;
  chainValue: string;
}

const EMPTY: Draft = {
  code: '',
  codeStatus: 'illustrative',
  name: '',
  kind: 'provincial-department',
  channel: 'province',
  enrolment: '',
  signerOrganizations: '',
  focalName: '',
  focalEmail: '',
  focalPhone: '',
  keyKind: 'none',
  keyId: '',
  tokenLabel: '',
  keyLabel: '',
  keyPath: '',
  chainKind: 'object',
  chainValue: '',
};

export function draftOf(agency: EditableAgency): Draft {
  const key = agency.organizationSigning?.key;
  const chain = agency.organizationSigning?.certificateChain;
  return {
    ...EMPTY,
    code: agency.code,
    codeStatus: agency.codeStatus,
    name: agency.name,
    kind: AGENCY_KINDS.find((k) => k === agency.kind) ?? 'other',
    channel: agency.channel,
    enrolment: agency.enrolment.join(', '),
    signerOrganizations: (agency.signerOrganizations ?? []).join('\n'),
    focalName: agency.focalPoint?.name ?? '',
    focalEmail: agency.focalPoint?.email ?? '',
    focalPhone: agency.focalPoint?.phone ?? '',
    keyKind: key?.kind ?? 'none',
    keyId: key?.kind === 'kms' ? key.keyId : '',
    tokenLabel: key?.kind === 'pkcs11' ? key.tokenLabel : '',
    keyLabel: key?.kind === 'pkcs11' ? key.keyLabel : '',
    keyPath: key?.kind === 'file' ? key.path : '',
    chainKind: chain?.kind ?? 'object',
    chainValue: chain === undefined ? '' : chain.kind === 'object' ? chain.key : chain.path,
  };
}

const list = (text: string, separator: RegExp) =>
  text
    .split(separator)
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** The body the API validates; its 400 names the fields, so nothing is second-guessed here. */
export function agencyInputOf(d: Draft): AgencyInput {
  const key =
    d.keyKind === 'kms'
      ? { kind: 'kms' as const, keyId: d.keyId.trim() }
      : d.keyKind === 'pkcs11'
        ? { kind: 'pkcs11' as const, tokenLabel: d.tokenLabel.trim(), keyLabel: d.keyLabel.trim() }
        : d.keyKind === 'file'
          ? { kind: 'file' as const, path: d.keyPath.trim() }
          : undefined;
  const certificateChain =
    d.chainKind === 'object'
      ? { kind: 'object' as const, key: d.chainValue.trim() }
      : { kind: 'file' as const, path: d.chainValue.trim() };
  return {
    code: d.code.trim(),
    codeStatus: d.codeStatus,
    name: d.name.trim(),
    kind: d.kind,
    channel: d.channel,
    focalPoint: {
      name: d.focalName.trim(),
      email: d.focalEmail.trim(),
      phone: d.focalPhone.trim(),
    },
    enrolment: list(d.enrolment, /[,\s]+/),
    signerOrganizations: list(d.signerOrganizations, /\n/),
    ...(key === undefined ? {} : { organizationSigning: { key, certificateChain } }),
  };
}

/** Field paths of the API beside which this form shows errors. */
const FIELDS = [
  'code',
  'codeStatus',
  'name',
  'kind',
  'channel',
  'enrolment',
  'signerOrganizations',
  'focalPoint.name',
  'focalPoint.email',
  'focalPoint.phone',
  'organizationSigning',
  'organizationSigning.key.keyId',
  'organizationSigning.key.tokenLabel',
  'organizationSigning.key.keyLabel',
  'organizationSigning.key.path',
  'organizationSigning.certificateChain.key',
  'organizationSigning.certificateChain.path',
] as const;

/**
 * The agency directory: search, then create, edit or delete an agency. Edits carry the listed
 * item's version, so an edit over someone else's is refused (409) and the list must be reloaded.
 */
export function DirectoryEditor() {
  const at = useAdminT();
  return (
    <ReferenceEditor
      id="directory"
      title={at('dirTitle')}
      searchLabel={at('dirSearch')}
      newLabel={at('dirNew')}
      count={(count) => at('dirCount', { count })}
      load={listEditableAgencies}
      create={createAgency}
      update={updateAgency}
      remove={deleteAgency}
      searchText={(a) => [a.name, a.code]}
      columns={[
        { header: at('colKind'), cell: (a) => label(at, `kind_${a.kind}`, a.kind) },
        { header: at('colChannel'), cell: (a) => label(at, `channel_${a.channel}`, a.channel) },
      ]}
      fields={FIELDS}
      Form={AgencyForm}
    />
  );
}

const label = (at: ReturnType<typeof useAdminT>, key: string, fallback: string) =>
  isAdminMessageKey(key) ? at(key) : fallback;

function AgencyForm(props: ReferenceFormProps<EditableAgency, AgencyInput>) {
  const at = useAdminT();
  const { editing, errorFor } = props;
  const { draft: d, set } = useDraft(editing, EMPTY, draftOf);
  const keysHidden =
    editing.mode === 'edit' &&
    editing.item.issues &&
    editing.item.organizationSigning === undefined;
  const title =
    editing.mode === 'edit' ? at('dirFormEdit', { name: editing.item.name }) : at('dirFormNew');
  return (
    <ReferenceForm
      id="agency-form"
      title={title}
      busy={props.busy}
      input={() => agencyInputOf(d)}
      onSave={props.onSave}
      onCancel={props.onCancel}
    >
      <div class="grid">
        <TextField
          name="code"
          label={at('code')}
          hint={at('codeHint')}
          value={d.code}
          onInput={set('code')}
          readOnly={editing.mode === 'edit'}
          required
          error={errorFor('code')}
        />
        <SelectField
          name="codeStatus"
          label={at('codeStatus')}
          value={d.codeStatus}
          options={(['illustrative', 'official'] as const).map((v) => ({
            value: v,
            label: at(`codeStatus_${v}`),
          }))}
          onChange={set('codeStatus')}
          error={errorFor('codeStatus')}
        />
      </div>
      <TextField
        name="name"
        label={at('name')}
        value={d.name}
        onInput={set('name')}
        required
        error={errorFor('name')}
      />
      <div class="grid">
        <SelectField
          name="kind"
          label={at('kind')}
          value={d.kind}
          options={AGENCY_KINDS.map((k) => ({ value: k, label: label(at, `kind_${k}`, k) }))}
          onChange={set('kind')}
          error={errorFor('kind')}
        />
        <SelectField
          name="channel"
          label={at('channel')}
          value={d.channel}
          options={CHANNELS.map((c) => ({ value: c, label: label(at, `channel_${c}`, c) }))}
          onChange={set('channel')}
          error={errorFor('channel')}
        />
      </div>
      <TextField
        name="enrolment"
        label={at('enrolment')}
        hint={at('enrolmentHint')}
        value={d.enrolment}
        onInput={set('enrolment')}
        error={errorFor('enrolment')}
      />
      <TextAreaField
        name="signerOrganizations"
        label={at('signerOrganizations')}
        hint={at('signerOrganizationsHint')}
        value={d.signerOrganizations}
        onInput={set('signerOrganizations')}
        error={errorFor('signerOrganizations')}
      />
      <fieldset>
        <legend>{at('focalPoint')}</legend>
        <div class="grid">
          <TextField
            name="focalPoint.name"
            label={at('focalName')}
            value={d.focalName}
            onInput={set('focalName')}
            error={errorFor('focalPoint.name')}
          />
          <TextField
            name="focalPoint.email"
            type="email"
            label={at('focalEmail')}
            value={d.focalEmail}
            onInput={set('focalEmail')}
            error={errorFor('focalPoint.email')}
          />
          <TextField
            name="focalPoint.phone"
            type="tel"
            label={at('focalPhone')}
            value={d.focalPhone}
            onInput={set('focalPhone')}
            error={errorFor('focalPoint.phone')}
          />
        </div>
      </fieldset>
      <fieldset>
        <legend>{at('signing')}</legend>
        {keysHidden ? <p>{at('keyHidden')}</p> : null}
        <SelectField
          name="organizationSigning"
          label={at('keyKind')}
          value={d.keyKind}
          options={(['none', 'kms', 'pkcs11', 'file'] as const).map((v) => ({
            value: v,
            label: at(`keyKind_${v}`),
          }))}
          onChange={set('keyKind')}
          error={errorFor('organizationSigning')}
        />
        {d.keyKind === 'kms' ? (
          <TextField
            name="organizationSigning.key.keyId"
            label={at('keyId')}
            value={d.keyId}
            onInput={set('keyId')}
            error={errorFor('organizationSigning.key.keyId')}
          />
        ) : null}
        {d.keyKind === 'pkcs11' ? (
          <div class="grid">
            <TextField
              name="organizationSigning.key.tokenLabel"
              label={at('tokenLabel')}
              value={d.tokenLabel}
              onInput={set('tokenLabel')}
              error={errorFor('organizationSigning.key.tokenLabel')}
            />
            <TextField
              name="organizationSigning.key.keyLabel"
              label={at('keyLabel')}
              value={d.keyLabel}
              onInput={set('keyLabel')}
              error={errorFor('organizationSigning.key.keyLabel')}
            />
          </div>
        ) : null}
        {d.keyKind === 'file' ? (
          <TextField
            name="organizationSigning.key.path"
            label={at('keyPath')}
            value={d.keyPath}
            onInput={set('keyPath')}
            error={errorFor('organizationSigning.key.path')}
          />
        ) : null}
        {d.keyKind === 'none' ? null : (
          <div class="grid">
            <SelectField
              name="organizationSigning.certificateChain.kind"
              label={at('chainKind')}
              value={d.chainKind}
              options={(['object', 'file'] as const).map((v) => ({
                value: v,
                label: at(`chainKind_${v}`),
              }))}
              onChange={set('chainKind')}
            />
            <TextField
              name={`organizationSigning.certificateChain.${d.chainKind === 'object' ? 'key' : 'path'}`}
              label={at(d.chainKind === 'object' ? 'chainKey' : 'chainPath')}
              value={d.chainValue}
              onInput={set('chainValue')}
              error={errorFor(
                `organizationSigning.certificateChain.${d.chainKind === 'object' ? 'key' : 'path'}`,
              )}
            />
          </div>
        )}
      </fieldset>
    </ReferenceForm>
  );
}
