// 共治 cases: optional location picking for the report forms. The address text always works alone;
// this only fills the hidden lat/lng fields from the device's position or a tap on the map.
(function () {
  var box = document.querySelector("[data-locate]");
  if (!box) { return; }
  var form = box.closest("form");
  var lat = form.querySelector("input[name=lat]");
  var lng = form.querySelector("input[name=lng]");
  var status = box.querySelector("[data-locate-status]");
  var button = box.querySelector("[data-locate-button]");
  var mapEl = box.querySelector("#pick-map");
  var map = null, marker = null;

  function set(la, ln, text) {
    lat.value = la.toFixed(6);
    lng.value = ln.toFixed(6);
    if (status) { status.textContent = text; }
    if (map) {
      if (marker) { marker.setLatLng([la, ln]); } else { marker = L.marker([la, ln]).addTo(map); }
      map.setView([la, ln], Math.max(map.getZoom(), 16));
    }
  }

  if (button && navigator.geolocation) {
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = status.dataset.waiting;
      navigator.geolocation.getCurrentPosition(function (pos) {
        set(pos.coords.latitude, pos.coords.longitude, status.dataset.located);
      }, function () { status.textContent = status.dataset.failed; }, { enableHighAccuracy: true, timeout: 10000 });
    });
  }

  if (mapEl && window.L) {
    map = L.map(mapEl, { attributionControl: false });
    var start = lat.value && lng.value ? [parseFloat(lat.value), parseFloat(lng.value)] : [39.905, 116.41];
    map.setView(start, lat.value ? 16 : 13);
    if (mapEl.dataset.tiles) {
      L.tileLayer(mapEl.dataset.tiles, { maxZoom: 19 }).addTo(map);
    } else if (mapEl.dataset.outlines) {
      // no tile server (an offline intranet): the communities' own outlines, named, are the map
      fetch(mapEl.dataset.outlines, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || !data.features.length) { return; }
          var layer = L.geoJSON(data, {
            style: { color: "#b3261e", weight: 1, fillOpacity: 0.06 },
            onEachFeature: function (feature, shape) {
              shape.bindTooltip(feature.properties.name, { sticky: true });
            },
          }).addTo(map);
          if (!(lat.value && lng.value)) { map.fitBounds(layer.getBounds()); }
        });
    }
    if (lat.value && lng.value) { marker = L.marker(start).addTo(map); }
    map.on("click", function (e) { set(e.latlng.lat, e.latlng.lng, status ? status.dataset.picked : ""); });
  }
})();
