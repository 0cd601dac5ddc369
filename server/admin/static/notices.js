// The notices page's plot: outcomes by day, stacked, drawn by Chart.js from the figures
// the server put on the page (#outcomes data-figures). No inline script: the CSP stays strict.
(function () {
  "use strict";
  const holder = document.getElementById("outcomes");
  if (!holder || typeof window.Chart === "undefined") return;
  const figures = JSON.parse(holder.dataset.figures);
  const Chart = window.Chart;
  Chart.defaults.font.family = "system-ui, sans-serif";
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false;
  const colours = {
    delivered: "#2f855a", answered: "#2457c5", voicemail: "#6b46c1",
    failed: "#c23b22", suppressed: "#b7791f", waiting: "#718096",
  };
  const canvas = document.getElementById("chart-outcomes");
  canvas.parentElement.style.minHeight = "260px";
  const chart = new Chart(canvas, {
    type: "bar",
    data: {
      labels: figures.by_day.map((d) => d.day),
      datasets: figures.outcomes.map((o) => ({
        label: o, data: figures.by_day.map((d) => d[o]), backgroundColor: colours[o] || "#999",
      })),
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
  });
  window.harkNotices = { charts: 1, chart: chart };
})();
