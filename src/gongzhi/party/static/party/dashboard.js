// 党建驾驶舱: draws the dashboard charts with ECharts from the JSON the page carries (no other requests).
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("party-chart");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var red = "#c8102e";
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var c = window.echarts.init(el);
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  chart("chart-grids", {
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 10, bottom: 80 },
    xAxis: { type: "category", data: data.grids, axisLabel: { rotate: 45 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: data.members_per_grid.map(function (v, i) {
      return { value: v, itemStyle: { color: data.covered[i] ? red : "#999" } };
    }) }]
  });
  chart("chart-activities", {
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "65%"], data: data.activities }]
  });
  chart("chart-wishes", {
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.wish_labels },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: data.wishes, itemStyle: { color: red } }]
  });
  chart("chart-ranking", {
    tooltip: { trigger: "axis" },
    grid: { left: 80, right: 20 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: data.ranking.map(function (r) { return r.name; }) },
    series: [{ type: "bar", data: data.ranking.map(function (r) { return r.value; }), itemStyle: { color: red } }]
  });
});
