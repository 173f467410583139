import { useId } from 'preact/hooks';
import { useAdminT } from '../../screens/admin/use-admin-t.ts';

export interface Series {
  readonly key: string;
  readonly label: string;
}

export interface Group {
  readonly label: string;
  /** One value per series, in the series' order. */
  readonly values: readonly number[];
}

/**
 * Colours at least 3:1 against a light or dark background (WCAG 1.4.11), told apart by the
 * legend and by the values printed beside each bar, not by colour alone.
 */
const SERIES_COLOURS = ['#1d5fa8', '#2f7d32', '#b3261e', '#6a4c93'] as const;

const BAR_HEIGHT = 12;
const GROUP_GAP = 10;
const LABEL_WIDTH = 230;
const WIDTH = 640;

/**
 * Horizontal bars in groups (one group per agency, one bar per series), with a legend and the
 * figures in a table.
 */
export function GroupedBarChart(props: {
  title: string;
  series: readonly Series[];
  groups: readonly Group[];
}) {
  const at = useAdminT();
  const id = useId();
  const { series, groups } = props;
  const max = Math.max(1, ...groups.flatMap((g) => g.values));
  const plot = WIDTH - LABEL_WIDTH - 40;
  const groupHeight = series.length * BAR_HEIGHT + GROUP_GAP;
  return (
    <figure class="chart">
      <figcaption id={`${id}-caption`}>{props.title}</figcaption>
      <ul class="chart-legend" aria-hidden="true">
        {series.map((s, i) => (
          <li key={s.key}>
            <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">
              <rect width="12" height="12" fill={SERIES_COLOURS[i % SERIES_COLOURS.length]} />
            </svg>{' '}
            {s.label}
          </li>
        ))}
      </ul>
      <svg
        role="img"
        aria-labelledby={`${id}-caption`}
        aria-describedby={`${id}-table`}
        viewBox={`0 0 ${WIDTH} ${Math.max(1, groups.length) * groupHeight + 4}`}
        width="100%"
        preserveAspectRatio="xMinYMin meet"
      >
        <title>{props.title}</title>
        {groups.map((group, g) => {
          const top = g * groupHeight + 2;
          return (
            <g key={group.label}>
              <text
                x={LABEL_WIDTH - 6}
                y={top + (series.length * BAR_HEIGHT) / 2 + 4}
                text-anchor="end"
                class="chart-label"
              >
                {group.label.length > 34 ? `${group.label.slice(0, 33)}…` : group.label}
              </text>
              {series.map((s, i) => {
                const value = group.values[i] ?? 0;
                const width = (value / max) * plot;
                const y = top + i * BAR_HEIGHT;
                return (
                  <g key={s.key}>
                    <title>{`${group.label}, ${s.label}: ${value}`}</title>
                    <rect
                      x={LABEL_WIDTH}
                      y={y + 1}
                      width={width}
                      height={BAR_HEIGHT - 2}
                      fill={SERIES_COLOURS[i % SERIES_COLOURS.length]}
                    />
                    <text x={LABEL_WIDTH + width + 4} y={y + BAR_HEIGHT - 2} class="chart-value">
                      {value}
                    </text>
                  </g>
                );
              })}
            </g>
          );
        })}
      </svg>
      <details>
        <summary>{at('chartTable')}</summary>
        <table id={`${id}-table`}>
          <caption>{props.title}</caption>
          <thead>
            <tr>
              <td />
              {series.map((s) => (
                <th scope="col" key={s.key}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {groups.map((group) => (
              <tr key={group.label}>
                <th scope="row">{group.label}</th>
                {series.map((s, i) => (
                  <td key={s.key}>{group.values[i] ?? 0}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
