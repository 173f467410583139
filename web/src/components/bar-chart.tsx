import { useI18n } from '../i18n.ts';

export interface Bar {
  readonly label: string;
  readonly value: number;
}

const BAR_HEIGHT = 22;
const LABEL_WIDTH = 220;
const WIDTH = 560;

/**
 * Horizontal bars drawn as SVG, labelled for screen readers, with the figures in a table below
 * so nothing is only a picture.
 */
export function BarChart({ title, bars }: { title: string; bars: readonly Bar[] }) {
  const { t } = useI18n();
  const max = Math.max(1, ...bars.map((b) => b.value));
  const plot = WIDTH - LABEL_WIDTH - 40;
  const id = `chart-${title.replace(/\W+/g, '-')}`;
  return (
    <figure class="chart">
      <figcaption id={id}>{title}</figcaption>
      <svg
        role="img"
        aria-labelledby={id}
        viewBox={`0 0 ${WIDTH} ${Math.max(1, bars.length) * BAR_HEIGHT + 4}`}
        width="100%"
        preserveAspectRatio="xMinYMin meet"
      >
        <title>{t('chartOf', { title })}</title>
        {bars.map((bar, i) => {
          const y = i * BAR_HEIGHT + 2;
          const width = (bar.value / max) * plot;
          return (
            <g key={bar.label}>
              <text x={LABEL_WIDTH - 6} y={y + 15} text-anchor="end" class="chart-label">
                {bar.label.length > 32 ? `${bar.label.slice(0, 31)}…` : bar.label}
              </text>
              <rect
                x={LABEL_WIDTH}
                y={y + 3}
                width={width}
                height={BAR_HEIGHT - 6}
                class="chart-bar"
              />
              <text x={LABEL_WIDTH + width + 4} y={y + 15} class="chart-value">
                {bar.value}
              </text>
            </g>
          );
        })}
      </svg>
      <details>
        <summary>{title}</summary>
        <table>
          <tbody>
            {bars.map((bar) => (
              <tr key={bar.label}>
                <th scope="row">{bar.label}</th>
                <td>{bar.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
