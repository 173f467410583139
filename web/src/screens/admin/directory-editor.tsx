import { useMemo, useState } from 'preact/hooks';
import { AGENCY_KINDS, CHANNELS } from '#shared/routing/directory.ts';
import {
  type AgencyInput,
  adminRequest,
  createAgency,
  deleteAgency,
  type EditableAgency,
  listEditableAgencies,
  updateAgency,
} from '../../admin-api.ts';
import { AsyncView } from '../../components/async-view.tsx';
import { useWorkspace } from '../../context.ts';
import { isAdminMessageKey } from '../../i18n-admin.ts';
import { useAsync } from '../../use-async.ts';
import {
  EditOutcome,
  matches,
  SelectField,
  TextAreaField,
  TextField,
  useEdit,
} from './form-field.tsx';
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

type Editing =
  | { readonly mode: 'closed' }
  | { readonly mode: 'create' }
  | { readonly mode: 'edit'; readonly agency: EditableAgency };

/**
 * The agency directory: search, then create, edit or delete an agency. Edits carry the listed
 * item's version, so an edit over someone else's is refused (409) and the list must be reloaded.
 */
export function DirectoryEditor() {
  const workspace = useWorkspace();
  const at = useAdminT();
  const request = useMemo(() => adminRequest(workspace), [workspace]);
  const { state, reload } = useAsync(() => listEditableAgencies(request), [request]);
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<Editing>({ mode: 'closed' });
  const [confirming, setConfirming] = useState<EditableAgency | undefined>();
  const edit = useEdit();

  const reloadAll = () => {
    edit.reset();
    setEditing({ mode: 'closed' });
    setConfirming(undefined);
    reload();
  };

  const remove = async (agency: EditableAgency) => {
    const ok = await edit.run(
      () => deleteAgency(request, agency.code, agency.version),
      at('deleted', { name: agency.name }),
    );
    setConfirming(undefined);
    if (ok) reload();
  };

  return (
    <section aria-labelledby="directory-title">
      <h2 id="directory-title">{at('dirTitle')}</h2>
      <EditOutcome
        outcome={edit.outcome}
        fields={editing.mode === 'closed' ? [] : FIELDS}
        onReload={reloadAll}
      />
      <AsyncView state={state} reload={reload}>
        {({ items }) => {
          const shown = items.filter((a) => matches(query, a.name, a.code));
          return (
            <>
              <div class="grid">
                <label>
                  {at('dirSearch')}
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
                    {at('dirNew')}
                  </button>
                </div>
              </div>
              {editing.mode === 'closed' ? null : (
                <AgencyForm
                  key={editing.mode === 'edit' ? editing.agency.code : '(new)'}
                  editing={editing}
                  busy={edit.busy}
                  errorFor={edit.errorFor}
                  onCancel={() => setEditing({ mode: 'closed' })}
                  onSave={async (input) => {
                    const ok = await edit.run(
                      () =>
                        editing.mode === 'edit'
                          ? updateAgency(request, input, editing.agency.version)
                          : createAgency(request, input),
                      at('saved', { name: input.name }),
                    );
                    if (ok) {
                      setEditing({ mode: 'closed' });
                      reload();
                    }
                  }}
                />
              )}
              <p aria-live="polite">{at('dirCount', { count: shown.length })}</p>
              {shown.length === 0 ? <p>{at('listNoMatch')}</p> : null}
              <div class="overflow-auto">
                <table class="striped">
                  <thead>
                    <tr>
                      <th scope="col">{at('colCode')}</th>
                      <th scope="col">{at('colName')}</th>
                      <th scope="col">{at('colKind')}</th>
                      <th scope="col">{at('colChannel')}</th>
                      <th scope="col">{at('colActions')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((agency) => (
                      <tr key={agency.code}>
                        <td>
                          <code>{agency.code}</code>
                        </td>
                        <th scope="row">{agency.name}</th>
                        <td>{label(at, `kind_${agency.kind}`, agency.kind)}</td>
                        <td>{label(at, `channel_${agency.channel}`, agency.channel)}</td>
                        <td>
                          {confirming?.code === agency.code ? (
                            <div class="confirm">
                              <p>{at('confirmDelete', { name: agency.name })}</p>
                              <button
                                type="button"
                                disabled={edit.busy}
                                onClick={() => remove(agency)}
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
                                aria-label={at('dirEdit', { name: agency.name })}
                                onClick={() => {
                                  edit.reset();
                                  setEditing({ mode: 'edit', agency });
                                }}
                              >
                                {at('edit')}
                              </button>{' '}
                              <button
                                type="button"
                                class="outline secondary"
                                aria-label={at('dirDelete', { name: agency.name })}
                                onClick={() => {
                                  edit.reset();
                                  setConfirming(agency);
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

const label = (at: ReturnType<typeof useAdminT>, key: string, fallback: string) =>
  isAdminMessageKey(key) ? at(key) : fallback;

function AgencyForm(props: {
  editing: Exclude<Editing, { mode: 'closed' }>;
  busy: boolean;
  errorFor: (field: string) => string | undefined;
  onCancel: () => void;
  onSave: (input: AgencyInput) => Promise<void>;
}) {
  const at = useAdminT();
  const { editing, errorFor } = props;
  const [d, setDraft] = useState<Draft>(editing.mode === 'edit' ? draftOf(editing.agency) : EMPTY);
  const set =
    <K extends keyof Draft>(field: K) =>
    (value: Draft[K]) =>
      setDraft((current) => ({ ...current, [field]: value }));
  const keysHidden =
    editing.mode === 'edit' &&
    editing.agency.issues &&
    editing.agency.organizationSigning === undefined;
  const title =
    editing.mode === 'edit' ? at('dirFormEdit', { name: editing.agency.name }) : at('dirFormNew');
  return (
    <form
      aria-labelledby="agency-form-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void props.onSave(agencyInputOf(d));
      }}
    >
      <h3 id="agency-form-title">{title}</h3>
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
