// A bar chart (Chart.js, from npm, only the parts a bar chart needs) for the server-rendered pages: loaded on demand by
// resident-page.js when a [data-bar-chart] element comes into view, so it is no part of the first paint. The numbers are
// in the page as a table too; the chart is a picture of them (role="img" with a label on the canvas).
//
// [data-bar-chart] holds JSON: { labels: [...], values: [... or null], label, color }. A null value draws no bar (a month
// left out by the release rule). When drawn the element gets data-bars = the number of bars drawn.
import { Chart, BarController, BarElement, CategoryScale, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

const nl = new Intl.NumberFormat('nl-NL');

export function drawBarChart(element) {
  const spec = JSON.parse(element.dataset.barChart);
  const canvas = element.querySelector('canvas') ?? element.appendChild(document.createElement('canvas'));
  const chart = new Chart(canvas, {
    type: 'bar',
    data: { labels: spec.labels, datasets: [{ label: spec.label, data: spec.values, backgroundColor: spec.color }] },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      locale: 'nl-NL',
      scales: { y: { beginAtZero: true, ticks: { callback: v => nl.format(v) } } },
      plugins: { tooltip: { callbacks: { label: c => `${spec.label}: ${nl.format(c.parsed.y)}` } } },
    },
  });
  element.dataset.bars = String(chart.getDatasetMeta(0).data.filter(bar => !bar.skip).length);
  return chart;
}
