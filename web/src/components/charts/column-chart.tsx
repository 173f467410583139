import { useId } from 'preact/hooks';
import { useAdminT } from '../../screens/admin/use-admin-t.ts';

export interface Column {
  /** Short label under the column (a day: `03/12`). */
  readonly label: string;
  /** Full label for the table and the tooltip (`03/12/2026`). */
  readonly longLabel?: string;
  readonly value: number;
}

const WIDTH = 640;
const PLOT_HEIGHT = 160;
const TOP = 18;
const BOTTOM = 24;

/**
 * Vertical columns as SVG for a series over time, each with its value above it; the figures are
 * also in a table, so nothing is only a picture.
 */
export function ColumnChart({ title, columns }: { title: string; columns: readonly Column[] }) {
  const at = useAdminT();
  const id = useId();
  const max = Math.max(1, ...columns.map((c) => c.value));
  const step = WIDTH / Math.max(1, columns.length);
  const barWidth = Math.max(4, step * 0.6);
  return (
    <figure class="chart">
      <figcaption id={`${id}-caption`}>{title}</figcaption>
      <svg
        role="img"
        aria-labelledby={`${id}-caption`}
        aria-describedby={`${id}-table`}
        viewBox={`0 0 ${WIDTH} ${TOP + PLOT_HEIGHT + BOTTOM}`}
        width="100%"
        preserveAspectRatio="xMinYMin meet"
      >
        <title>{title}</title>
        <line
          x1={0}
          x2={WIDTH}
          y1={TOP + PLOT_HEIGHT}
          y2={TOP + PLOT_HEIGHT}
          class="chart-axis"
          stroke="currentColor"
        />
        {columns.map((column, i) => {
          const height = (column.value / max) * PLOT_HEIGHT;
          const x = i * step + (step - barWidth) / 2;
          const y = TOP + PLOT_HEIGHT - height;
          return (
            <g key={column.label}>
              <title>{`${column.longLabel ?? column.label}: ${column.value}`}</title>
              <rect x={x} y={y} width={barWidth} height={height} class="chart-bar" />
              <text x={x + barWidth / 2} y={y - 4} text-anchor="middle" class="chart-value">
                {column.value}
              </text>
              <text
                x={x + barWidth / 2}
                y={TOP + PLOT_HEIGHT + 16}
                text-anchor="middle"
                class="chart-label"
              >
                {column.label}
              </text>
            </g>
          );
        })}
      </svg>
      <details>
        <summary>{at('chartTable')}</summary>
        <table id={`${id}-table`}>
          <caption>{title}</caption>
          <tbody>
            {columns.map((column) => (
              <tr key={column.label}>
                <th scope="row">{column.longLabel ?? column.label}</th>
                <td>{column.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
