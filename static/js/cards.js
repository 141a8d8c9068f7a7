// Feedback in place: the card menus' forms (more / less like this, hide or show an outlet)
// are sent in the background, the card shows its new state where the reader is, and the
// page's live region (#messages, role=status) reads the message out. Without this script
// the same forms post normally and come back to the card's #article-<id> anchor.
(function () {
  "use strict";
  var live = document.getElementById("messages");
  if (!live || !window.fetch || !window.FormData) { return; }

  function announce(text, level) {
    // Emptied first, so saying the same thing twice is announced twice.
    live.textContent = "";
    window.setTimeout(function () {
      var message = document.createElement("p");
      message.className = "message message-" + (level || "success");
      message.textContent = text;
      live.appendChild(message);
    }, 50);
  }

  function press(button, pressed) {
    button.setAttribute("aria-pressed", pressed ? "true" : "false");
    button.textContent = pressed ? button.dataset.pressedLabel : button.dataset.label;
  }

  function showFeedback(card, result) {
    card.querySelectorAll("button[data-kind=more]").forEach(function (b) { press(b, result.more); });
    card.querySelectorAll("button[data-kind=less]").forEach(function (b) { press(b, result.less); });
    card.classList.toggle("card-less", !!result.less);
  }

  function showSource(result) {
    document.querySelectorAll("[data-card][data-source='" + result.source + "']").forEach(function (card) {
      card.classList.toggle("card-hidden-source", result.source_muted);
      card.querySelectorAll("form[data-mute]").forEach(function (form) {
        form.action = result.source_muted ? form.dataset.unmute : form.dataset.mute;
        var button = form.querySelector("button");
        button.setAttribute("aria-pressed", result.source_muted ? "true" : "false");
        button.textContent = result.source_muted ? button.dataset.pressedLabel : button.dataset.label;
      });
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-card-action]")) { return; }
    var card = form.closest("[data-card]");
    if (!card) { return; }
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (result) { return { ok: response.ok, result: result }; });
    }).then(function (answer) {
      button.disabled = false;
      if (!answer.ok) { announce(answer.result.message, "error"); return; }
      if ("source" in answer.result) { showSource(answer.result); } else { showFeedback(card, answer.result); }
      var menu = form.closest("details");
      if (menu) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
      announce(answer.result.message, "success");
    }).catch(function () {
      // Signed out meanwhile, a network hiccup: the ordinary post says what happened.
      button.disabled = false;
      form.submit();
    });
  });
}());
