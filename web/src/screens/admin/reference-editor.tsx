import type { ComponentChildren, ComponentType } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { type AdminRequest, adminRequest } from '../../admin-api.ts';
import { AsyncView } from '../../components/async-view.tsx';
import { SearchBox } from '../../components/search-box.tsx';
import { useWorkspace } from '../../context.ts';
import { matches } from '../../search.ts';
import { useAsync } from '../../use-async.ts';
import { EditOutcome, useEdit } from './form-field.tsx';
import { useAdminT } from './use-admin-t.ts';

/** An item of reference data as listed for editing: its code, its name, its version. */
interface ReferenceItem {
  readonly code: string;
  readonly name: string;
  readonly version?: number | undefined;
}

export type FormEditing<Item> =
  | { readonly mode: 'create' }
  | { readonly mode: 'edit'; readonly item: Item };

/** What an editor's form receives: saving goes through the editor, which reports the outcome. */
export interface ReferenceFormProps<Item, Input> {
  editing: FormEditing<Item>;
  busy: boolean;
  errorFor: (field: string) => string | undefined;
  onCancel: () => void;
  onSave: (input: Input) => Promise<void>;
}

export interface ReferenceColumn<Item> {
  readonly header: string;
  readonly cell: (item: Item) => ComponentChildren;
}

/**
 * A reference list (the agency directory, the document-type catalogue): search, create, edit,
 * delete. Edits carry the listed item's version, so an edit over someone else's is refused (409)
 * and the list must be reloaded. Each editor brings its columns and its form.
 */
export function ReferenceEditor<Item extends ReferenceItem, Input extends { name: string }>(props: {
  id: string;
  title: string;
  searchLabel: string;
  newLabel: string;
  count: (count: number) => string;
  load: (request: AdminRequest) => Promise<{ items: readonly Item[] }>;
  create: (request: AdminRequest, input: Input) => Promise<unknown>;
  update: (request: AdminRequest, input: Input, version?: number) => Promise<unknown>;
  remove: (request: AdminRequest, code: string, version?: number) => Promise<unknown>;
  searchText: (item: Item) => readonly string[];
  columns: readonly ReferenceColumn<Item>[];
  fields: readonly string[];
  Form: ComponentType<ReferenceFormProps<Item, Input>>;
}) {
  const workspace = useWorkspace();
  const at = useAdminT();
  const request = useMemo(() => adminRequest(workspace), [workspace]);
  const { state, reload } = useAsync(() => props.load(request), [request]);
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<FormEditing<Item> | undefined>();
  const [confirming, setConfirming] = useState<Item | undefined>();
  const edit = useEdit();
  const { Form } = props;

  const reloadAll = () => {
    edit.reset();
    setEditing(undefined);
    setConfirming(undefined);
    reload();
  };

  const remove = async (item: Item) => {
    const ok = await edit.run(
      () => props.remove(request, item.code, item.version),
      at('deleted', { name: item.name }),
    );
    setConfirming(undefined);
    if (ok) reload();
  };

  const save = async (current: FormEditing<Item>, input: Input) => {
    const ok = await edit.run(
      () =>
        current.mode === 'edit'
          ? props.update(request, input, current.item.version)
          : props.create(request, input),
      at('saved', { name: input.name }),
    );
    if (ok) {
      setEditing(undefined);
      reload();
    }
  };

  return (
    <section aria-labelledby={`${props.id}-title`}>
      <h2 id={`${props.id}-title`}>{props.title}</h2>
      <EditOutcome
        outcome={edit.outcome}
        fields={editing === undefined ? [] : props.fields}
        onReload={reloadAll}
      />
      <AsyncView state={state} reload={reload}>
        {({ items }) => {
          const shown = items.filter((item) => matches(query, ...props.searchText(item)));
          return (
            <>
              <div class="grid">
                <SearchBox label={props.searchLabel} value={query} onInput={setQuery} />
                <div>
                  <button
                    type="button"
                    onClick={() => {
                      edit.reset();
                      setEditing({ mode: 'create' });
                    }}
                  >
                    {props.newLabel}
                  </button>
                </div>
              </div>
              {editing === undefined ? null : (
                <Form
                  key={editing.mode === 'edit' ? editing.item.code : '(new)'}
                  editing={editing}
                  busy={edit.busy}
                  errorFor={edit.errorFor}
                  onCancel={() => setEditing(undefined)}
                  onSave={(input) => save(editing, input)}
                />
              )}
              <p aria-live="polite">{props.count(shown.length)}</p>
              {shown.length === 0 ? <p>{at('listNoMatch')}</p> : null}
              <div class="overflow-auto">
                <table class="striped">
                  <thead>
                    <tr>
                      <th scope="col">{at('colCode')}</th>
                      <th scope="col">{at('colName')}</th>
                      {props.columns.map((column) => (
                        <th scope="col" key={column.header}>
                          {column.header}
                        </th>
                      ))}
                      <th scope="col">{at('colActions')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((item) => (
                      <tr key={item.code}>
                        <td>
                          <code>{item.code}</code>
                        </td>
                        <th scope="row">{item.name}</th>
                        {props.columns.map((column) => (
                          <td key={column.header}>{column.cell(item)}</td>
                        ))}
                        <td>
                          {confirming?.code === item.code ? (
                            <div class="confirm">
                              <p>{at('confirmDelete', { name: item.name })}</p>
                              <button
                                type="button"
                                disabled={edit.busy}
                                onClick={() => remove(item)}
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
                                aria-label={at('dirEdit', { name: item.name })}
                                onClick={() => {
                                  edit.reset();
                                  setEditing({ mode: 'edit', item });
                                }}
                              >
                                {at('edit')}
                              </button>{' '}
                              <button
                                type="button"
                                class="outline secondary"
                                aria-label={at('dirDelete', { name: item.name })}
                                onClick={() => {
                                  edit.reset();
                                  setConfirming(item);
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

/** A form's draft, every field as typed: the listed item's when editing, `empty` when creating. */
export function useDraft<Item, Draft>(
  editing: FormEditing<Item>,
  empty: Draft,
  draftOf: (item: Item) => Draft,
) {
  const [draft, setDraft] = useState<Draft>(
    editing.mode === 'edit' ? draftOf(editing.item) : empty,
  );
  const set =
    <K extends keyof Draft>(field: K) =>
    (value: Draft[K]) =>
      setDraft((current) => ({ ...current, [field]: value }));
  return { draft, set };
}

/** An editor's form: its title and fields, then save (which sends `input()`) and cancel. */
export function ReferenceForm<Input>(props: {
  id: string;
  title: string;
  busy: boolean;
  input: () => Input;
  onSave: (input: Input) => Promise<void>;
  onCancel: () => void;
  children: ComponentChildren;
}) {
  const at = useAdminT();
  return (
    <form
      aria-labelledby={`${props.id}-title`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void props.onSave(props.input());
      }}
    >
      <h3 id={`${props.id}-title`}>{props.title}</h3>
      {props.children}
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
