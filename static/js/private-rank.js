// The server's ranking, in the reader's browser, for private mode: the formula of
// newsapp/recommender/index.py (rank, relevance, diversity, exploration) and explain.py
// ("Why this?"), over the ranking pack (newsapp/recommender/pack.py). Pure functions of
// the pack and a profile: nothing is stored or sent here (private.js keeps the profile).
// tests/e2e/test_private_mode.py checks it against the server, profile by profile.
(function (root) {
  "use strict";

  var f32 = Math.fround;

  // -- the pack ---------------------------------------------------------------------
  function decode(raw) {
    var n = raw.ids.length;
    var s = raw.settings;
    var vocabulary = raw.vocabulary;
    var topicCount = raw.topics.length;
    var termIndex = new Map();
    var wordsOfStem = new Map();
    // A stem is sent as how many letters it leaves off its word (or whole when it is not
    // a prefix of it).
    var stems = raw.stems.map(function (code, i) {
      return typeof code === "number" ? vocabulary[i].slice(0, vocabulary[i].length - code) : code;
    });
    vocabulary.forEach(function (word, i) {
      termIndex.set(word, i);
      if (!wordsOfStem.has(stems[i])) { wordsOfStem.set(stems[i], []); }
      wordsOfStem.get(stems[i]).push(i);
    });
    var idf = raw.idf.map(function (v) { return v / s.idf_scale; });
    // Per article: its kept terms in ascending order (sent as differences), their TF-IDF,
    // what each adds to the topics of its window ("Why this?"), and the order the index's
    // row holds them in, for ties (the identity unless ``ties`` says otherwise).
    var terms = [], tfidf = [], explain = [], order = [];
    var postings = vocabulary.map(function () { return []; });
    var at = 0, spent = 0;
    for (var d = 0; d < n; d++) {
      var count = raw.counts[d], columns = [], values = [], term = 0;
      for (var j = 0; j < count; j++, at++) {
        term += raw.terms[at];
        var value = raw.tfidf[at] / s.tfidf_scale;
        columns.push(term);
        values.push(value);
        postings[term].push([d, value]);
      }
      terms.push(columns);
      tfidf.push(values);
      var byTopic = new Map();
      raw.explain_topics[d].forEach(function (t) {
        byTopic.set(t, raw.explain.slice(spent, spent + count));
        spent += count;
      });
      explain.push(byTopic);
      order.push(null);
    }
    raw.ties.forEach(function (group) {
      var d = group[0], places = group.slice(1);
      if (!order[d]) { order[d] = terms[d].map(function (_, j) { return j; }); }
      var ranks = places.slice().sort(function (a, b) { return a - b; });
      places.forEach(function (place, i) { order[d][place] = ranks[i]; });
    });
    var affinity = raw.affinity.map(function (v) { return v / s.affinity_scale; });
    var odds = raw.topics.map(function (_, t) {
      var row = new Float64Array(n);
      for (var d = 0; d < n; d++) {
        var a = affinity[d * topicCount + t];
        row[d] = f32(Math.exp(Math.max(-s.logit_limit, Math.min(s.logit_limit, a))));
      }
      return row;
    });
    var undated = new Set(raw.undated);
    var published = [], time = 0;
    raw.published.forEach(function (step, d) {
      time += step;
      published.push(undated.has(d) ? null : time);
    });
    var topicPosition = new Map(raw.topics.map(function (slug, t) { return [slug, t]; }));
    var sourcePosition = new Map(raw.sources.map(function (slug, i) { return [slug, i]; }));
    var position = new Map(raw.ids.map(function (id, d) { return [id, d]; }));
    return {
      raw: raw, n: n, settings: s, vocabulary: vocabulary, termIndex: termIndex, stems: stems,
      wordsOfStem: wordsOfStem, idf: idf, terms: terms, tfidf: tfidf, explain: explain,
      order: order, postings: postings, odds: odds, published: published,
      affinity: function (d, t) { return affinity[d * topicCount + t]; },
      topicPosition: topicPosition, sourcePosition: sourcePosition, position: position,
      stopWords: new Set(raw.stop_words),
      near: raw.near.map(function (list) { return new Set(list); })
    };
  }

  // -- text: the index's analyser (newsapp/recommender/terms.py) ---------------------
  var WORD_RUN = /[\p{L}\p{N}_]+/gu;
  var LETTERS = /^[\p{L}\p{Nl}\p{No}]{2,}$/u;

  function stripAccents(text) {
    var decomposed = text.normalize("NFKD");
    return decomposed === text ? text : decomposed.replace(/\p{M}/gu, "");
  }

  function analyze(pack, text) {
    var words = stripAccents(text.toLowerCase()).match(WORD_RUN) || [];
    return words.filter(function (w) { return LETTERS.test(w) && !pack.stopWords.has(w); });
  }

  // A word the pack does not hold: its stem is guessed by taking off the usual English
  // endings until a word of the pack is found (exact for every word the pack holds, which
  // carries each one's Snowball stem; see docs/private-mode.md).
  var ENDINGS = ["ingly", "edly", "ings", "ing", "ied", "ies", "ed", "es", "s", "ly"];

  function stemOf(pack, word) {
    if (pack.termIndex.has(word)) { return pack.stems[pack.termIndex.get(word)]; }
    for (var i = 0; i < ENDINGS.length; i++) {
      var ending = ENDINGS[i];
      if (word.length - ending.length < 3 || word.slice(-ending.length) !== ending) { continue; }
      var base = word.slice(0, -ending.length);
      var guesses = ending.charAt(0) === "i" && ending !== "ing" && ending !== "ingly"
        ? [base + "y", base + "ie"] : [base, base + "e"];
      for (var g = 0; g < guesses.length; g++) {
        if (pack.termIndex.has(guesses[g])) { return pack.stems[pack.termIndex.get(guesses[g])]; }
      }
    }
    return word;
  }

  // The pack's words a typed keyword stands for (Index.keyword_terms): each of its words
  // when the pack holds it, and every other word with its Snowball stem.
  function keywordTerms(pack, keyword) {
    var found = [];
    analyze(pack, keyword).forEach(function (word) {
      var own = pack.termIndex.has(word) ? [pack.termIndex.get(word)] : [];
      var same = (pack.wordsOfStem.get(stemOf(pack, word)) || []).filter(function (t) {
        return pack.vocabulary[t] !== word;
      });
      own.concat(same).forEach(function (t) { if (found.indexOf(t) < 0) { found.push(t); } });
    });
    return found;
  }

  // -- vectors ----------------------------------------------------------------------
  function topTerms(vector, limit) {
    var entries = Array.from(vector.entries());
    if (entries.length <= limit) { return vector; }
    entries.sort(function (a, b) { return Math.abs(b[1]) - Math.abs(a[1]); });
    return new Map(entries.slice(0, limit));
  }

  function normalise(vector) {
    var norm = 0;
    vector.forEach(function (v) { norm += v * v; });
    norm = Math.sqrt(norm);
    if (norm > 0) { vector.forEach(function (v, t) { vector.set(t, v / norm); }); }
    return vector;
  }

  function termsVector(pack, columns) {
    var counts = new Map();
    columns.forEach(function (t) { counts.set(t, (counts.get(t) || 0) + 1); });
    var vector = new Map();
    counts.forEach(function (tf, t) { vector.set(t, (1 + Math.log(tf)) * pack.idf[t]); });
    return normalise(vector);
  }

  function feedbackVector(pack, ids) {
    var rows = ids.filter(function (id) { return pack.position.has(id); })
      .map(function (id) { return pack.position.get(id); });
    if (!rows.length) { return null; }
    var sum = new Map();
    rows.forEach(function (d) {
      pack.terms[d].forEach(function (t, j) { sum.set(t, (sum.get(t) || 0) + pack.tfidf[d][j] / rows.length); });
    });
    return normalise(sum);
  }

  function scoresFor(pack, vector) {
    var raw = new Float64Array(pack.n);
    topTerms(vector, pack.settings.query_terms).forEach(function (q, t) {
      pack.postings[t].forEach(function (entry) { raw[entry[0]] += q * entry[1]; });
    });
    return raw;
  }

  function standardised(pack, vector, leaveOut) {
    var raw = scoresFor(pack, vector);
    if (!raw.some(function (v) { return v !== 0; })) { return { scores: raw, std: 1 }; }
    var left = new Set(leaveOut || []);
    var sum = 0, count = 0;
    raw.forEach(function (v, d) { if (!left.has(d)) { sum += v; count++; } });
    if (!count) { left = new Set(); sum = raw.reduce(function (a, b) { return a + b; }, 0); count = raw.length; }
    var mean = sum / count, square = 0;
    raw.forEach(function (v, d) { if (!left.has(d)) { square += (v - mean) * (v - mean); } });
    var std = Math.sqrt(square / count);
    std = std > 1e-9 ? std : 1;
    var scores = raw.map(function (v) { return (v - mean) / std; });
    left.forEach(function (d) { scores[d] = 0; });
    return { scores: scores, std: std };
  }

  // -- relevance (Index._relevance_parts) --------------------------------------------
  function topicWeights(pack, profile) {
    var rows = [], weights = [];
    Object.keys(profile.topics || {}).forEach(function (slug) {
      var weight = Number(profile.topics[slug]);
      if (pack.topicPosition.has(slug) && weight > 0) {
        rows.push(pack.topicPosition.get(slug));
        weights.push(weight);
      }
    });
    var most = Math.max.apply(null, weights.concat([0]));
    var shifts = weights.map(function (w) { return f32(pack.settings.weight_shift * Math.log2(f32(w / most))); });
    return { rows: rows, shifts: shifts };
  }

  function relevanceParts(pack, profile) {
    var n = pack.n, s = pack.settings;
    var relevance = new Float64Array(n).fill(-Infinity);
    var topic = topicWeights(pack, profile);
    var topicRelevance = null;
    if (topic.rows.length) {
      var odds = new Float64Array(n);
      topic.rows.forEach(function (row, j) {
        var factor = f32(Math.exp(topic.shifts[j]));
        var level = pack.odds[row];
        for (var d = 0; d < n; d++) { odds[d] += factor * level[d]; }
      });
      topicRelevance = odds.map(function (o) { return Math.log(Math.max(o, 1e-30)); });
      relevance = topicRelevance.slice();
    }
    var keywords = (profile.keywords || []).map(function (k) { return [k, keywordTerms(pack, k)]; });
    var keywordRelevance = null, keywordVector = null, keywordStd = 1;
    if (keywords.length) {
      keywordVector = termsVector(pack, [].concat.apply([], keywords.map(function (k) { return k[1]; })));
      var kw = standardised(pack, keywordVector);
      keywordStd = kw.std;
      if (kw.scores.some(function (v) { return v !== 0; })) {
        keywordRelevance = kw.scores.map(function (v) { return v - s.prototype_threshold; });
        relevance = relevance.map(function (r, d) { return Math.max(r, keywordRelevance[d]); });
      }
    }
    if (relevance.every(function (r) { return r === -Infinity; })) { relevance = new Float64Array(n); }
    var liked = profile.liked || [];
    var likedVector = feedbackVector(pack, liked), likedScores = null, likedStd = 1;
    if (likedVector) {
      var likedRows = liked.filter(function (id) { return pack.position.has(id); })
        .map(function (id) { return pack.position.get(id); });
      var l = standardised(pack, likedVector, likedRows);
      likedScores = l.scores;
      likedStd = l.std;
      relevance = relevance.map(function (r, d) { return r + likedScores[d]; });
    }
    var dislikedVector = feedbackVector(pack, profile.disliked || []);
    if (dislikedVector) {
      var against = standardised(pack, dislikedVector).scores;
      relevance = relevance.map(function (r, d) { return r - s.dislike_weight * against[d]; });
    }
    return {
      relevance: relevance, topicRelevance: topicRelevance, keywordRelevance: keywordRelevance,
      rows: topic.rows, shifts: topic.shifts, keywords: keywords,
      keywordQuery: keywordRelevance ? scaled(topTerms(keywordVector, s.query_terms), keywordStd) : null,
      likedQuery: likedVector ? scaled(topTerms(likedVector, s.query_terms), likedStd) : null,
      likedScores: likedScores
    };
  }

  function scaled(vector, by) {
    var out = new Map();
    vector.forEach(function (v, t) { out.set(t, v / by); });
    return out;
  }

  // -- ranking (Index.rank) -----------------------------------------------------------
  function freshness(pack, now, halfLife) {
    var minute = Math.floor(now / 1000 / 60) * 60;
    return pack.published.map(function (p) {
      if (p === null) { return 0; }
      return f32(Math.pow(2, -f32(Math.max(0, minute - p) / (3600 * Math.max(halfLife, 1e-6)))));
    });
  }

  function allowed(pack, profile) {
    var raw = pack.raw;
    var muted = new Set((profile.muted_topics || []).filter(function (s) { return pack.topicPosition.has(s); })
      .map(function (s) { return pack.topicPosition.get(s); }));
    var mutedSources = new Set((profile.muted_sources || []).filter(function (s) { return pack.sourcePosition.has(s); })
      .map(function (s) { return pack.sourcePosition.get(s); }));
    var disliked = new Set(profile.disliked || []);
    return raw.ids.map(function (id, d) {
      if (raw.tags[d].some(function (t) { return muted.has(t); }) || muted.has(raw.predicted[d])) { return false; }
      if (mutedSources.has(raw.source[d])) { return false; }
      return !disliked.has(id);
    });
  }

  function diversified(pack, candidates, k) {
    var picks = [], deferred = [], perSource = new Map(), sources = pack.raw.source;
    var cap = Math.max(2, Math.ceil(k / 2));
    for (var i = 0; i < candidates.length && picks.length < k; i++) {
      var c = candidates[i];
      var near = pack.near[c];
      if (picks.some(function (p) { return near.has(p); })) { continue; }
      var source = sources[c];
      var run = picks.length >= 2 && sources[picks[picks.length - 1]] === source && sources[picks[picks.length - 2]] === source;
      if (source >= 0 && (run || (perSource.get(source) || 0) >= cap)) { deferred.push(c); continue; }
      picks.push(c);
      perSource.set(source, (perSource.get(source) || 0) + 1);
    }
    return picks.concat(deferred.slice(0, Math.max(0, k - picks.length)));
  }

  function explorationPick(pack, profile, ok, fresh, head) {
    var raw = pack.raw;
    if (!raw.topics.length || !pack.n) { return null; }
    var followed = new Set(Object.keys(profile.topics || {}).filter(function (s) { return pack.topicPosition.has(s); })
      .map(function (s) { return pack.topicPosition.get(s); }));
    var best = null, bestFresh = -1;
    for (var d = 0; d < pack.n; d++) {
      var about = raw.about[d];
      if (!ok[d] || about < 0 || followed.has(about) || head.indexOf(d) >= 0) { continue; }
      if (raw.tags[d].some(function (t) { return followed.has(t); })) { continue; }
      if (fresh[d] > bestFresh) { best = d; bestFresh = fresh[d]; }
    }
    return best;
  }

  function onePerStory(pack, order) {
    var seen = new Set();
    return order.filter(function (d) {
      var story = pack.raw.stories[d];
      if (story === null || story === undefined) { return true; }
      if (seen.has(story)) { return false; }
      seen.add(story);
      return true;
    });
  }

  // The feed for ``profile``: [{id, position, score, reasons}], best first, as deep as
  // ``options.limit`` (the page size), from a ranking ``settings.depth`` deep as the
  // server's "For you" is.
  function rank(pack, profile, options) {
    options = options || {};
    var s = pack.settings, n = pack.n;
    var k = options.depth || s.depth;
    var limit = options.limit || s.page_size;
    if (!n) { return []; }
    var parts = relevanceParts(pack, profile);
    var fresh = freshness(pack, options.now || Date.now(), s.half_life_hours);
    var ok = allowed(pack, profile);
    var region = profile.region ? pack.raw.regions.indexOf(profile.region) : -1;
    var score = parts.relevance.map(function (r, d) {
      if (!ok[d]) { return -Infinity; }
      var value = f32(Math.min(r, s.relevance_cap) + s.freshness_weight * fresh[d]);
      return region >= 0 && pack.raw.region[d] === region ? f32(value + s.region_boost) : value;
    });
    var pool = Math.min(n, Math.max(k * 4, 40));
    var candidates = Array.from(score.keys()).sort(function (a, b) { return score[b] - score[a] || a - b; })
      .slice(0, pool).filter(function (d) { return isFinite(score[d]); });
    var picks = diversified(pack, candidates, k);
    var exploring = profile.explore !== false && Object.keys(profile.topics || {}).length > 0 && k >= s.exploration_position + 1;
    var chosen = null, order = picks;
    if (exploring) {
      chosen = explorationPick(pack, profile, ok, fresh, picks.slice(0, s.exploration_position));
      if (chosen !== null) {
        var rest = picks.filter(function (p) { return p !== chosen; }).slice(0, k - 1);
        order = rest.slice(0, s.exploration_position).concat([chosen], rest.slice(s.exploration_position));
      }
    }
    return onePerStory(pack, order).slice(0, limit).map(function (d) {
      var exploration = d === chosen;
      return {
        id: pack.raw.ids[d], position: d,
        score: exploration ? fresh[d] : score[d],
        reasons: reasons(pack, profile, parts, d, fresh[d], exploration)
      };
    });
  }

  // -- "Why this?" (Explainer.reasons) -------------------------------------------------
  function round3(x) { return Math.round(x * 1000) / 1000; }

  function reasons(pack, profile, parts, d, fresh, exploration) {
    var s = pack.settings, raw = pack.raw;
    if (exploration) {
      return { topics: [], terms: [], keywords: [], freshness: round3(fresh), exploration: true, liked: [], local: false, topic_certainty: [] };
    }
    var affinity = parts.rows.map(function (t) { return pack.affinity(d, t); });
    var weighted = affinity.map(function (a, j) { return a + parts.shifts[j]; });
    var odds = weighted.map(function (w) { return Math.exp(Math.min(w, s.logit_cap)); });
    var about = weighted.map(function (_, j) { return j; }).filter(function (j) { return weighted[j] > 0; })
      .sort(function (a, b) { return weighted[b] - weighted[a] || a - b; });
    var total = about.reduce(function (sum, j) { return sum + odds[j]; }, 0);
    var slugs = parts.rows.map(function (t) { return raw.topics[t]; });
    var topics = about.map(function (j) { return [slugs[j], round3(odds[j] / total)]; });
    var certainty = about.map(function (j) { return [slugs[j], round3(1 / (1 + Math.exp(-affinity[j])))]; });

    // What each kept term added (Explainer._term_weights), every term of the article.
    var columns = pack.terms[d], values = pack.tfidf[d];
    var contribution = new Float64Array(columns.length);
    var topicRel = parts.topicRelevance, keywordRel = parts.keywordRelevance;
    if (topicRel && (!keywordRel || topicRel[d] >= keywordRel[d])) {
      var sum = odds.reduce(function (a, b) { return a + b; }, 0);
      parts.rows.forEach(function (t, j) {
        var added = pack.explain[d].get(t);
        if (!added) { return; }
        var share = odds[j] / sum;
        for (var i = 0; i < columns.length; i++) { contribution[i] += share * added[i] / raw.explain_scale; }
      });
    } else if (keywordRel && parts.keywordQuery) {
      columns.forEach(function (t, j) { if (parts.keywordQuery.has(t)) { contribution[j] += values[j] * parts.keywordQuery.get(t); } });
    }
    if (parts.likedQuery && parts.likedScores && parts.likedScores[d] !== 0) {
      columns.forEach(function (t, j) { if (parts.likedQuery.has(t)) { contribution[j] += values[j] * parts.likedQuery.get(t); } });
    }
    // Ties go to the term the index's row holds first, as the explainer's stable sort does.
    var order = pack.order[d];
    var terms = columns.map(function (_, j) { return j; }).filter(function (j) { return contribution[j] > 0; })
      .sort(function (a, b) {
        return contribution[b] - contribution[a] || (order ? order[a] - order[b] : a - b);
      })
      .slice(0, s.shown_terms).map(function (j) { return pack.vocabulary[columns[j]]; });
    var present = new Set(columns);
    var keywords = parts.keywords.filter(function (k) { return k[1].some(function (t) { return present.has(t); }); })
      .map(function (k) { return k[0]; });
    return {
      topics: topics, terms: terms, keywords: keywords, freshness: round3(fresh), exploration: false,
      liked: likedLike(pack, profile, parts, d), local: !!profile.region && raw.regions[raw.region[d]] === profile.region,
      topic_certainty: certainty
    };
  }

  function likedLike(pack, profile, parts, d) {
    if (!parts.likedScores || parts.likedScores[d] < pack.settings.liked_reason) { return []; }
    var own = new Map(pack.terms[d].map(function (t, j) { return [t, pack.tfidf[d][j]]; }));
    var best = null, bestSimilarity = 0;
    (profile.liked || []).filter(function (id) { return pack.position.has(id); })
      .slice(-pack.settings.liked_compared).forEach(function (id) {
        var p = pack.position.get(id), similarity = 0;
        pack.terms[p].forEach(function (t, j) { if (own.has(t)) { similarity += own.get(t) * pack.tfidf[p][j]; } });
        if (similarity > bestSimilarity) { best = id; bestSimilarity = similarity; }
      });
    return best === null ? [] : [best];
  }

  root.PrivateRank = { decode: decode, analyze: analyze, stemOf: stemOf, keywordTerms: keywordTerms, rank: rank };
})(window);
