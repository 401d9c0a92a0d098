// 驾驶舱: draws the weekly counts of each surging series with ECharts from the JSON the page carries.
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("insights-chart");
  var el = document.getElementById("chart-surges");
  if (!source || !el || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var series = [];
  data.series.forEach(function (s) {
    series.push({ name: s.name, type: "line", data: s.data, smooth: false });
    series.push({
      name: s.name, type: "line", data: s.data.map(function () { return s.threshold; }),
      lineStyle: { type: "dashed", width: 1 }, symbol: "none", tooltip: { show: false }
    });
  });
  var chart = window.echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { type: "scroll", data: data.series.map(function (s) { return s.name; }) },
    grid: { left: 40, right: 20, bottom: 30 },
    xAxis: { type: "category", data: data.labels },
    yAxis: { type: "value", minInterval: 1 },
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
