// Private mode's page: the profile lives in this browser's localStorage only, the feed is
// ranked here (private-rank.js) from the ranking pack every reader downloads alike, and
// nothing the reader states is ever sent: the one request is the pack, without cookies.
(function () {
  "use strict";
  var KEY = "newsapp.private-profile/1";
  var SCHEMA = "newsapp.private-profile/1";

  function empty() {
    return { schema: SCHEMA, topics: {}, keywords: [], muted_topics: [], muted_sources: [], liked: [], disliked: [], explore: true, region: null };
  }

  function load() {
    try {
      var stored = JSON.parse(window.localStorage.getItem(KEY) || "null");
      return valid(stored) ? Object.assign(empty(), stored) : empty();
    } catch (error) { return empty(); }
  }

  function save(profile) { window.localStorage.setItem(KEY, JSON.stringify(profile)); }

  function valid(profile) {
    return !!profile && typeof profile === "object" && profile.schema === SCHEMA &&
      typeof (profile.topics || {}) === "object" && Array.isArray(profile.keywords || []);
  }

  if (document.querySelector("[data-private-clear]")) {
    window.localStorage.removeItem(KEY);
    return;
  }
  var app = document.getElementById("private-app");
  if (!app || !window.PrivateRank || !window.fetch) { return; }
  app.hidden = false;
  var status = document.getElementById("private-status");
  var cards = document.getElementById("private-cards");
  var form = document.getElementById("private-form");
  var pack = null;
  var profile = load();

  function say(text) { status.textContent = text; }

  var incoming = document.getElementById("private-incoming");
  if (incoming) {
    profile = Object.assign(empty(), JSON.parse(incoming.textContent));
    save(profile);
    say("Your account's preferences are now on this device only; our server no longer holds them.");
    window.history.replaceState(null, "", app.dataset.home || window.location.pathname);
  }

  // -- the form ---------------------------------------------------------------------
  function fill() {
    form.querySelectorAll("select[data-topic]").forEach(function (select) {
      select.value = String(profile.topics[select.dataset.topic] || 0);
    });
    document.getElementById("private-keywords").value = profile.keywords.join(", ");
    form.querySelectorAll("[data-mute-topic]").forEach(function (box) {
      box.checked = profile.muted_topics.indexOf(box.dataset.muteTopic) >= 0;
    });
    form.querySelectorAll("[data-mute-source]").forEach(function (box) {
      box.checked = profile.muted_sources.indexOf(box.dataset.muteSource) >= 0;
    });
    document.getElementById("private-explore").checked = profile.explore !== false;
  }

  function read() {
    var topics = {};
    form.querySelectorAll("select[data-topic]").forEach(function (select) {
      var weight = Number(select.value);
      if (weight > 0) { topics[select.dataset.topic] = weight; }
    });
    var seen = {};
    var keywords = document.getElementById("private-keywords").value.split(",").map(function (k) {
      return k.split(/\s+/).filter(Boolean).join(" ");
    }).filter(function (k) {
      if (!k || seen[k.toLowerCase()]) { return false; }
      seen[k.toLowerCase()] = true;
      return true;
    });
    var checked = function (selector, key) {
      return Array.from(form.querySelectorAll(selector)).filter(function (b) { return b.checked; })
        .map(function (b) { return b.dataset[key]; });
    };
    return Object.assign({}, profile, {
      topics: topics, keywords: keywords,
      muted_topics: checked("[data-mute-topic]", "muteTopic"),
      muted_sources: checked("[data-mute-source]", "muteSource"),
      explore: document.getElementById("private-explore").checked
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    profile = read();
    save(profile);
    render();
    say("Saved on this device. Your feed above is ranked again.");
  });

  // -- cards ------------------------------------------------------------------------
  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function ago(seconds) {
    if (seconds === null) { return ""; }
    var hours = Math.max(0, (Date.now() / 1000 - seconds) / 3600);
    if (hours < 1) { return "less than an hour ago"; }
    if (hours < 48) { return Math.floor(hours) + (Math.floor(hours) === 1 ? " hour ago" : " hours ago"); }
    return Math.floor(hours / 24) + " days ago";
  }

  function topicName(slug) {
    var i = pack.raw.topics.indexOf(slug);
    return i >= 0 ? pack.raw.topic_names[i] : slug;
  }

  function reasonLine(r) {
    if (r.exploration) { return "Outside your topics"; }
    if (r.topics.length) {
      var best = r.topics.reduce(function (a, b) { return b[1] > a[1] ? b : a; });
      return "Because you follow " + topicName(best[0]);
    }
    if (r.keywords.length) { return "Matches your keyword “" + r.keywords[0] + "”"; }
    if (r.liked.length) { return "Because you liked “" + pack.raw.titles[pack.position.get(r.liked[0])] + "”"; }
    if (r.terms.length) { return "Shares words with what you follow"; }
    return "Recent, after your picks";
  }

  function whyItems(r) {
    if (r.exploration) {
      return ["One pick comes from a topic you do not follow, so your feed does not become a bubble. You can turn this off below."];
    }
    var certainty = new Map(r.topic_certainty);
    var items = r.liked.map(function (id) { return "Because you liked “" + pack.raw.titles[pack.position.get(id)] + "”."; });
    r.topics.forEach(function (pair) {
      var name = topicName(pair[0]), sure = certainty.get(pair[0]) || 0;
      var lead = pair[1] >= 0.75 ? "Mostly" : pair[1] >= 0.4 ? "Partly" : "A little";
      var how = sure >= 0.9 ? "strongly" : sure >= 0.7 ? "clearly" : "somewhat";
      items.push(lead + " " + name + ": it matches the " + name + " profile " + how + ".");
    });
    if (r.keywords.length) { items.push("Matches your keywords: " + r.keywords.join(", ") + "."); }
    if (r.terms.length) { items.push("Words in this article that matched: " + r.terms.join(", ") + "."); }
    var label = r.freshness >= 0.75 ? "very recent" : r.freshness >= 0.4 ? "recent" : "older, kept for relevance";
    items.push("Freshness: " + label + ". Worked out on this device.");
    return items;
  }

  function feedbackButton(id, kind, label) {
    var list = kind === "more" ? profile.liked : profile.disliked;
    var button = element("button", { type: "button", "class": "button button-small", "aria-pressed": String(list.indexOf(id) >= 0), "data-kind": kind, "data-id": String(id) }, label);
    return button;
  }

  function card(item) {
    var d = item.position, raw = pack.raw;
    var article = element("article", { "class": "card", "data-card": "", "data-id": String(item.id) });
    var text = element("div", { "class": "card-text" });
    var heading = element("h3", { "class": "card-title" });
    heading.appendChild(element("a", { href: "/articles/" + raw.slugs[d] + "/" }, raw.titles[d]));
    text.appendChild(heading);
    var meta = [raw.source[d] >= 0 ? raw.source_names[raw.source[d]] : "", ago(pack.published[d])].filter(Boolean);
    text.appendChild(element("p", { "class": "card-meta" }, meta.join(" · ")));
    var why = element("details", { "class": "why" });
    var summary = element("summary");
    summary.appendChild(element("span", { "class": "why-line" }, reasonLine(item.reasons)));
    summary.appendChild(document.createTextNode(" "));
    summary.appendChild(element("span", { "class": "why-more" }, "Why this?"));
    why.appendChild(summary);
    var list = element("ul");
    whyItems(item.reasons).forEach(function (line) { list.appendChild(element("li", {}, line)); });
    why.appendChild(list);
    text.appendChild(why);
    var actions = element("div", { "class": "private-card-actions" });
    actions.appendChild(feedbackButton(item.id, "more", "More like this"));
    actions.appendChild(feedbackButton(item.id, "less", "Less like this"));
    text.appendChild(actions);
    article.appendChild(text);
    return article;
  }

  function render() {
    if (!pack) { return; }
    var stated = Object.keys(profile.topics).length || profile.keywords.length || profile.liked.length;
    document.getElementById("private-empty").hidden = !!stated;
    cards.textContent = "";
    if (!stated) { return; }
    PrivateRank.rank(pack, profile).forEach(function (item) { cards.appendChild(card(item)); });
  }

  cards.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-kind]");
    if (!button) { return; }
    var id = Number(button.dataset.id), kind = button.dataset.kind;
    var mine = kind === "more" ? "liked" : "disliked", other = kind === "more" ? "disliked" : "liked";
    var had = profile[mine].indexOf(id) >= 0;
    profile[mine] = profile[mine].filter(function (x) { return x !== id; });
    profile[other] = profile[other].filter(function (x) { return x !== id; });
    if (!had) { profile[mine].push(id); }
    save(profile);
    render();
    say(had ? "Taken back." : kind === "more" ? "Noted on this device: more like this." : "Noted on this device: less like this, and this story is hidden.");
  });

  // -- the file, and clearing --------------------------------------------------------
  document.getElementById("private-export").addEventListener("click", function () {
    var blob = new Blob([JSON.stringify(profile, null, 2)], { type: "application/json" });
    var link = element("a", { href: URL.createObjectURL(blob), download: "private-profile.json" });
    document.body.appendChild(link);
    link.click();
    link.remove();
    say("Your profile was saved as a file, private-profile.json.");
  });

  document.getElementById("private-import").addEventListener("change", function (event) {
    var file = event.target.files[0];
    if (!file) { return; }
    file.text().then(function (text) {
      var loaded = JSON.parse(text);
      if (!valid(loaded)) { throw new Error("not a profile"); }
      profile = Object.assign(empty(), loaded);
      save(profile);
      fill();
      render();
      say("Profile loaded from " + file.name + ".");
    }).catch(function () {
      say("That file is not a private-mode profile: nothing was changed.");
    });
    event.target.value = "";
  });

  document.getElementById("private-clear").addEventListener("click", function () {
    window.localStorage.removeItem(KEY);
    profile = empty();
    fill();
    render();
    say("Your profile was wiped from this device.");
  });

  var toAccount = document.getElementById("private-to-account");
  if (toAccount) {
    toAccount.addEventListener("submit", function () {
      document.getElementById("private-to-account-profile").value = JSON.stringify(profile);
    });
  }

  // -- the pack -----------------------------------------------------------------------
  fill();
  if (!incoming) { say("Loading today's articles…"); }
  fetch(app.dataset.packUrl, { credentials: "omit" }).then(function (response) {
    if (!response.ok) { throw new Error(response.status); }
    return response.json();
  }).then(function (raw) {
    pack = PrivateRank.decode(raw);
    app.dataset.ready = "true";
    if (!incoming) { say(""); }
    render();
  }).catch(function () {
    say("The articles could not be loaded. Reload the page to try again.");
  });
})();
