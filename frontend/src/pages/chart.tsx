// The engagement chart (chart.js, only the parts a line chart needs, loaded with this page).
import { CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import { fmtDateTime, fmtNumber, intlLocale, t } from '../i18n';
import { channelById, viewZone } from '../state';
import type { Engagement, Snapshot } from '../types';
import { channelColor } from '../ui/kit';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend, Filler);

const METRICS = ['likes', 'reposts', 'replies', 'quotes', 'impressions', 'clicks'] as const;
type Metric = (typeof METRICS)[number];

export default function EngagementChart({ engagement }: { engagement: Engagement }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  const available = METRICS.filter((m) => engagement.targets.some((tg) => tg.history.some((h) => h[m] !== null)));
  const [metric, setMetric] = useState<Metric>(available[0] ?? 'likes');

  useEffect(() => {
    const zone = viewZone.get();
    // One x position per reading time, across channels (readings are taken on a schedule).
    const times = Array.from(new Set(engagement.targets.flatMap((tg) => tg.history.map((h) => h.taken_at)))).sort();
    const datasets = engagement.targets
      .filter((tg) => tg.history.length)
      .map((tg) => {
        const by = new Map(tg.history.map((h: Snapshot) => [h.taken_at, h[metric]]));
        const color = channelColor(tg.channel_id);
        return {
          label: channelById(tg.channel_id)?.name ?? '#' + tg.channel_id,
          data: times.map((tm) => by.get(tm) ?? null),
          borderColor: color,
          backgroundColor: color + '22',
          spanGaps: true,
          tension: 0.25,
          fill: false,
        };
      });
    const labels = times.map((tm) => fmtDateTime(tm, zone));
    if (!chart.current) {
      chart.current = new Chart(canvas.current!, {
        type: 'line',
        data: { labels, datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          locale: intlLocale(),
          interaction: { mode: 'index', intersect: false },
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
          plugins: { legend: { position: 'bottom' } },
        },
      });
    } else {
      chart.current.data = { labels, datasets };
      chart.current.update();
    }
  }, [metric, engagement]);

  useEffect(() => () => chart.current?.destroy(), []);

  return (
    <div class="chart">
      <div class="chart-head">
        <div class="cal-views" role="group" aria-label={t('post.metric')}>
          {available.map((m) => (
            <button key={m} class={'seg' + (m === metric ? ' active' : '')} aria-pressed={m === metric} onClick={() => setMetric(m)}>
              {t('metric.' + m)}
            </button>
          ))}
        </div>
      </div>
      <div class="chart-box">
        <canvas ref={canvas} role="img" aria-label={t('post.chartLabel', { metric: t('metric.' + metric) })} />
      </div>
      <table class="latest">
        <caption class="sr-only">{t('post.latest')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('post.channel')}</th>
            {available.map((m) => (
              <th key={m} scope="col">
                {t('metric.' + m)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {engagement.targets
            .filter((tg) => tg.latest)
            .map((tg) => (
              <tr key={tg.target_id}>
                <th scope="row">{channelById(tg.channel_id)?.name ?? '#' + tg.channel_id}</th>
                {available.map((m) => (
                  <td key={m}>{tg.latest![m] === null ? '—' : fmtNumber(tg.latest![m]!)}</td>
                ))}
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}
