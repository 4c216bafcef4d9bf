/* The map on proposal pages (Leaflet). An enhancement only: without JavaScript, or without a
   configured tile server, residents type an address and the page shows the coordinates. */
(function () {
  "use strict";

  function number(value) {
    var n = parseFloat(value);
    return isFinite(n) ? n : null;
  }

  function init(el) {
    if (typeof window.L === "undefined" || !el.dataset.tileUrl) {
      return;
    }
    var L = window.L;
    var field = document.getElementById("location-map-field");
    if (field) { field.hidden = false; }
    el.hidden = false;
    L.Icon.Default.imagePath = el.dataset.iconPath;
    var centre = (el.dataset.center || "52.09,5.12").split(",");
    var lat = number(el.dataset.lat);
    var lng = number(el.dataset.lng);
    var start = lat !== null && lng !== null ? [lat, lng] : [number(centre[0]) || 52.09, number(centre[1]) || 5.12];
    var map = L.map(el, { scrollWheelZoom: false }).setView(start, parseInt(el.dataset.zoom, 10) || 13);
    L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.attribution || "", maxZoom: 19 }).addTo(map);
    var marker = null;
    if (lat !== null && lng !== null) {
      marker = L.marker([lat, lng]).addTo(map);
    }
    if (el.dataset.editable !== "true") {
      return;
    }
    var latInput = document.getElementById(el.dataset.latInput);
    var lngInput = document.getElementById(el.dataset.lngInput);
    map.on("click", function (event) {
      var point = event.latlng;
      if (marker) { marker.setLatLng(point); } else { marker = L.marker(point).addTo(map); }
      latInput.value = point.lat.toFixed(6);
      lngInput.value = point.lng.toFixed(6);
    });
    var clear = document.getElementById("location-map-clear");
    if (clear) {
      clear.addEventListener("click", function () {
        if (marker) { map.removeLayer(marker); marker = null; }
        latInput.value = "";
        lngInput.value = "";
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("location-map");
    if (el) { init(el); }
  });
}());
