// Draws the consumption bar chart from the JSON the page embeds; the table below it holds the same numbers.
document.addEventListener("DOMContentLoaded", () => {
  const canvas = document.getElementById("consumption-chart");
  const source = document.getElementById("consumption-data");
  if (!canvas || !source || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{ label: "Verbrauch in kWh", data: data.values, backgroundColor: "#0b4f6c" }],
    },
    options: {
      locale: "de-DE",
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, title: { display: true, text: "kWh" } } },
    },
  });
});
