// Draws each report's chart from the JSON next to its canvas (no inline script: CSP).
(function () {
  "use strict";
  var palette = ["#1b5e8c", "#d9822b", "#3c8d40", "#8e44ad", "#c0392b", "#7f8c8d"];
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var suffix = data.unit ? " " + data.unit : "";
    new window.Chart(canvas, {
      type: data.kind,
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set, i) {
          return { label: set.label, data: set.data, backgroundColor: palette[i % palette.length] };
        }),
      },
      options: {
        animation: false,
        responsive: true,
        plugins: { title: { display: false } },
        scales: {
          y: { beginAtZero: true, ticks: { callback: function (v) { return v + suffix; } } },
        },
      },
    });
    canvas.dataset.drawn = "true";
  }
  function init() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
