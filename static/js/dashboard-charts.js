// Draws every chart of the sales dashboard from the JSON next to its canvas; the table below each chart holds the
// same numbers (the canvas's aria-label says so), so nothing is lost without JavaScript or for screen readers.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Chart === "undefined") {
    return;
  }
  const palette = ["#0b4f6c", "#b03a2e", "#2e7d32", "#6a1b9a", "#a04000"];
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    const spec = JSON.parse(source.textContent);
    const suffix = spec.unit ? `\u00a0${spec.unit}` : "";
    const valueAxis = spec.horizontal ? "x" : "y";
    new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map((dataset, index) => ({
          ...dataset,
          backgroundColor: palette[index % palette.length],
          borderColor: palette[index % palette.length],
          spanGaps: true,
          tension: 0.2,
        })),
      },
      options: {
        locale: "de-DE",
        indexAxis: spec.horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: spec.datasets.length > 1 },
          tooltip: {
            callbacks: { label: (context) => `${context.dataset.label}: ${context.formattedValue}${suffix}` },
          },
        },
        scales: {
          [valueAxis]: { beginAtZero: true, title: { display: Boolean(spec.unit), text: spec.unit } },
        },
      },
    });
  });
});
