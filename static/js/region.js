// Suggest the nearest region from the browser's position. The coordinates never leave
// this page: we compare them with the regions' centres listed in the page and only
// select an option; the reader still presses "Save".
(function () {
  "use strict";
  var button = document.getElementById("suggest-region");
  var select = document.getElementById("id_region");
  var status = document.getElementById("suggest-status");
  if (!button || !select || !navigator.geolocation) {
    if (button) { button.hidden = true; }
    return;
  }
  button.hidden = false;
  function distance(lat1, lon1, lat2, lon2) {
    var rad = Math.PI / 180;
    var dLat = (lat2 - lat1) * rad, dLon = (lon2 - lon1) * rad;
    var a = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
  }
  button.addEventListener("click", function () {
    status.textContent = "Asking your browser for your position…";
    navigator.geolocation.getCurrentPosition(function (position) {
      var best = null, bestDistance = Infinity;
      document.querySelectorAll("[data-region]").forEach(function (item) {
        var d = distance(position.coords.latitude, position.coords.longitude,
          parseFloat(item.dataset.lat), parseFloat(item.dataset.lon));
        if (d < bestDistance) { bestDistance = d; best = item.dataset.region; }
      });
      if (best) {
        select.value = best;
        status.textContent = "Suggested: " + select.options[select.selectedIndex].text +
          ". Your position was not sent to us. Press “Save my region” to keep it.";
      }
    }, function () {
      status.textContent = "Your browser did not share a position. Pick a region from the list.";
    }, { maximumAge: 600000, timeout: 10000 });
  });
}());
