// 三率与考核: draws the 12-month trend of the three rates with ECharts from the JSON the page carries.
// The table stays the source of truth; without JavaScript the trend is readable as a table below it.
(function () {
  var chart = null;
  function draw() {
    var source = document.getElementById("rates-chart-data");
    var el = document.getElementById("rates-chart");
    if (!source || !el || !window.echarts) { return; }
    if (chart) { chart.dispose(); }
    var data = JSON.parse(source.textContent);
    chart = window.echarts.init(el);
    chart.setOption({
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) { return v === null || v === undefined ? "—" : v.toFixed(1) + "%"; }
      },
      legend: { data: data.series.map(function (s) { return s.name; }) },
      grid: { left: 50, right: 20, bottom: 30 },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: data.series.map(function (s) {
        return { name: s.name, type: "line", data: s.data, connectNulls: false };
      })
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
  window.addEventListener("resize", function () { if (chart) { chart.resize(); } });
})();
