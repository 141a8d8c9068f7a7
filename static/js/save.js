// "Save for later" without a reload: the card's POST form is sent with fetch and the
// button changes in place. Without script (or if the request fails) the form posts as
// usual and the reader comes back to the same card.
(function () {
  "use strict";
  // The page's one live region (base.html), as static/js/cards.js uses it.
  var live = document.getElementById("messages");

  function announce(text) {
    if (!live) { return; }
    live.textContent = "";  // emptied first, so the same words twice are read twice
    window.setTimeout(function () {
      var message = document.createElement("p");
      message.className = "message message-success";
      message.textContent = text;
      live.appendChild(message);
    }, 50);
  }

  function show(form, saved) {
    var action = form.getAttribute("action");
    document.querySelectorAll("form[data-save-form]").forEach(function (other) {
      if (other.getAttribute("action") !== action) { return; }
      var button = other.querySelector("button[aria-pressed]");
      if (button) {
        button.setAttribute("aria-pressed", saved ? "true" : "false");
        button.textContent = saved ? button.dataset.on : button.dataset.off;
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-save-form")) { return; }
    if (!window.fetch || !window.FormData) { return; }
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (data) {
      button.disabled = false;
      if (form.hasAttribute("data-remove-card") && !data.saved) {
        var card = form.closest(".card");
        if (card) { card.remove(); }
      } else {
        show(form, data.saved);
      }
      announce(data.message);
    }).catch(function () {
      button.disabled = false;
      form.submit();  // the ordinary POST, with its redirect back here
    });
  });
})();
