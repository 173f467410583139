/** A labelled search field, without the browser's autocompletion. */
export function SearchBox(props: {
  label: string;
  value: string;
  onInput: (value: string) => void;
}) {
  return (
    <label>
      {props.label}
      <input
        type="search"
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        autocomplete="off"
      />
    </label>
  );
}
