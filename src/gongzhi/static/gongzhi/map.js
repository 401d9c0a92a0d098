// Grid maps: Leaflet drawing our own GeoJSON; tiles only when the operator configured a tile URL.
(function () {
  function draw(el) {
    var map = L.map(el, { attributionControl: false });
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map); }
    fetch(el.dataset.geojson, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      var layer = L.geoJSON(data, {
        style: function () { return { color: "#b3261e", weight: 1, fillColor: "#f4b6b2", fillOpacity: 0.35 }; },
        onEachFeature: function (feature, lyr) {
          lyr.bindTooltip(feature.properties.name + " (" + feature.properties.code + ")");
          if (el.dataset.detailUrl) {
            lyr.on("click", function () { window.location = el.dataset.detailUrl + feature.properties.code + "/"; });
          }
        }
      }).addTo(map);
      if (data.features.length) { map.fitBounds(layer.getBounds()); } else { map.setView([39.92, 116.48], 13); }
    });
  }
  document.querySelectorAll("#grid-map, #region-map").forEach(draw);
})();
