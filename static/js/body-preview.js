// The article body's live preview in the admin: while the editor types, the text goes to the
// preview endpoint (same origin, the form's CSRF token) and comes back cleaned by the same
// sanitiser as on save. Without script the preview drawn with the page still shows.
(function () {
  "use strict";
  function start() {
    document.querySelectorAll("textarea[data-preview-url]").forEach(function (field) {
      var target = document.getElementById(field.dataset.previewTarget);
      var token = field.form && field.form.querySelector("input[name=csrfmiddlewaretoken]");
      if (!target || !token) { return; }
      var timer = null;
      var latest = 0;
      function refresh() {
        var request = ++latest;
        fetch(field.dataset.previewUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": token.value },
          body: new URLSearchParams({ body: field.value }),
        })
          .then(function (response) {
            if (!response.ok) { throw new Error("preview " + response.status); }
            return response.json();
          })
          .then(function (data) {
            if (request !== latest) { return; } // an older answer arriving late
            target.innerHTML = data.html; // cleaned on the server by newsapp.core.sanitize
            target.removeAttribute("data-stale");
          })
          .catch(function () { target.setAttribute("data-stale", "true"); });
      }
      field.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(refresh, 300);
      });
    });
  }
  // The admin puts form media in <head>, before the textarea exists.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
