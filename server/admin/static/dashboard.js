// Dashboard plots: Chart.js (installed from npm by `make admin-assets`) drawing the
// figures the server put on the page (#figures data-figures, the same JSON as
// GET /v1/admin/analytics). No inline script, so the page's CSP stays strict.
(function () {
  "use strict";
  const holder = document.getElementById("figures");
  if (!holder || typeof window.Chart === "undefined") return;
  const a = JSON.parse(holder.dataset.figures);
  const Chart = window.Chart;
  Chart.defaults.font.family = "system-ui, sans-serif";
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false; // draw at once: screenshots and slow tablets alike
  const blue = "#2457c5", red = "#c23b22", amber = "#b7791f", green = "#2f855a";
  const drawn = [];

  function chart(id, config) {
    const canvas = document.getElementById(id);
    if (!canvas) return;
    canvas.parentElement.style.minHeight = "260px";
    drawn.push(new Chart(canvas, config));
  }
  const days = a.by_day.map((d) => d.day);
  chart("chart-days", {
    type: "line",
    data: { labels: days, datasets: [
      { label: "conversations", data: a.by_day.map((d) => d.conversations), borderColor: blue, backgroundColor: blue, tension: 0, pointRadius: 4 },
      { label: "handoffs", data: a.by_day.map((d) => d.handoffs), borderColor: red, backgroundColor: red, tension: 0, pointRadius: 4 },
    ] },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  // A short period is shown hour by hour (UTC), a longer one day by day.
  const hourly = a.sentiment.by_hour;
  const mood = hourly || a.sentiment.by_day;
  chart("chart-sentiment", {
    type: "line",
    data: { labels: mood.map((d) => (hourly ? d.hour.replace("T", " ") : d.day)), datasets: [
      { label: "mean caller sentiment" + (hourly ? " by hour (UTC)" : " by day"), data: mood.map((d) => d.average), borderColor: green, backgroundColor: green, tension: 0, pointRadius: 4 },
    ] },
    options: { scales: { y: { min: -1, max: 1 } } },
  });
  const reasons = Object.entries(a.handoff_reasons);
  chart("chart-reasons", {
    type: "bar",
    data: { labels: reasons.map((r) => r[0]), datasets: [
      { label: "handoffs", data: reasons.map((r) => r[1]), backgroundColor: red },
    ] },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  chart("chart-intents", {
    type: "bar",
    data: { labels: a.top_intents.map((i) => i.intent), datasets: [
      { label: "turns", data: a.top_intents.map((i) => i.count), backgroundColor: blue },
    ] },
    options: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  const stages = Object.keys(a.latency_ms);
  chart("chart-latency", {
    type: "bar",
    data: { labels: stages, datasets: [
      { label: "p50", data: stages.map((s) => a.latency_ms[s].p50), backgroundColor: green },
      { label: "p95", data: stages.map((s) => a.latency_ms[s].p95), backgroundColor: amber },
      { label: "p99", data: stages.map((s) => a.latency_ms[s].p99), backgroundColor: red },
    ] },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: "ms" } } } },
  });
  window.harkDashboard = { charts: drawn.length, figures: a };
})();
