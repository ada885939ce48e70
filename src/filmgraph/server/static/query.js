/* filmgraph's query page: Yasgui (vendored, static/vendor/yasgui/) set up for this server.
 *
 * - Every request goes to this server: the completers that ask remote services (LOV's class
 *   and property completers, prefix.cc) are replaced by completers fed from here — the
 *   ontology's classes and properties (one SPARQL query) and the prefixes of the JSON-LD
 *   context (/context.jsonld).
 * - The named queries (/queries) are the examples, with their summaries and questions; a
 *   parameter is bound with a VALUES line at the top of the WHERE clause, so what runs is
 *   exactly what the editor shows.
 * - Links to our resources (https://w3id.org/filmgraph/id/…) point at this server's /id/…
 *   pages, so they dereference here.
 * - The address bar holds ?query=… for the query in the editor: a link to share.
 * - A "Timeline" result view draws rows that have a year on a year axis.
 * Text from the data is only ever set with textContent, never parsed as HTML.
 */
(function () {
  "use strict";

  var ID = "https://w3id.org/filmgraph/id/";
  var ENDPOINT = location.origin + "/sparql";
  var SVG = "http://www.w3.org/2000/svg";
  var Yasqe = Yasgui.Yasqe;
  var Yasr = Yasgui.Yasr;

  function localHref(iri) {
    return iri.indexOf(ID) === 0 ? "/id/" + iri.slice(ID.length) : iri;
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/json, application/ld+json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error(url + ": " + r.status); }
        return r.json();
      });
  }

  /* ---- what the completers and the examples know: prefixes and ontology terms ---- */
  var prefixes = getJson("/context.jsonld").then(function (doc) {
    var found = {};
    var context = doc["@context"] || {};
    Object.keys(context).forEach(function (key) {
      var value = context[key];
      if (typeof value === "string" && key.charAt(0) !== "@" && /[#/]$/.test(value)) {
        found[key] = value;
      }
    });
    found.rdf = found.rdf || "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    found.rdfs = found.rdfs || "http://www.w3.org/2000/01/rdf-schema#";
    found.xsd = found.xsd || "http://www.w3.org/2001/XMLSchema#";
    found.owl = found.owl || "http://www.w3.org/2002/07/owl#";
    return found;
  });

  var TERMS_QUERY = [
    "PREFIX owl: <http://www.w3.org/2002/07/owl#>",
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>",
    "SELECT DISTINCT ?term ?kind WHERE {",
    "  VALUES (?type ?kind) { (owl:Class \"class\") (rdf:Property \"property\")",
    "    (owl:ObjectProperty \"property\") (owl:DatatypeProperty \"property\")",
    "    (owl:AnnotationProperty \"property\") }",
    "  ?term a ?type . FILTER(isIRI(?term))",
    "  FILTER(STRSTARTS(STR(?term), \"https://w3id.org/filmgraph/ontology#\"))",
    "} ORDER BY ?term"
  ].join("\n");
  var terms = fetch(ENDPOINT, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded",
               Accept: "application/sparql-results+json" },
    body: new URLSearchParams({ query: TERMS_QUERY })
  }).then(function (r) { return r.json(); }).then(function (data) {
    var found = { "class": [], property: [
      "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
      "http://www.w3.org/2000/01/rdf-schema#label",
      "http://www.w3.org/2000/01/rdf-schema#comment",
      "http://www.w3.org/2004/02/skos/core#altLabel"
    ] };
    data.results.bindings.forEach(function (b) { found[b.kind.value].push(b.term.value); });
    return found;
  });

  /* Prefix completion from our context (not prefix.cc); classes and properties from our
   * ontology (not LOV). Forked from Yasqe's own completers, so they behave the same. */
  Yasqe.forkAutocompleter("prefixes", {
    name: "fg-prefixes",
    persistenceId: null,
    get: function () {
      return prefixes.then(function (found) {
        return Object.keys(found).sort().map(function (p) { return p + ": <" + found[p] + ">"; });
      });
    }
  }, false);
  ["property", "class"].forEach(function (kind) {
    Yasqe.forkAutocompleter(kind, {
      name: "fg-" + kind,
      bulk: true,
      persistenceId: null,
      get: function () { return terms.then(function (found) { return found[kind]; }); }
    }, false);
  });
  Yasqe.defaults.autocompleters = ["variables", "fg-prefixes", "fg-property", "fg-class"];
  Yasqe.defaults.prefixCcApi = null;

  /* ---- the timeline view: rows with a year, on a year axis ---- */
  function yearOf(term) {
    if (!term || term.type === "uri" || term.type === "bnode") { return null; }
    var m = /^(-?\d{4})(?:-|$)/.exec(term.value);
    if (!m) { return null; }
    var year = Number(m[1]);
    return year >= 1000 && year <= 2200 ? year : null;
  }
  function timelineColumns(results) {
    var vars = results.getVariables();
    var rows = results.getBindings();
    var best = null;
    vars.forEach(function (v) {
      var bound = 0, years = 0;
      rows.forEach(function (row) {
        if (row[v]) { bound++; if (yearOf(row[v]) !== null) { years++; } }
      });
      if (bound && years / bound >= 0.8) {
        var score = years + (/year|date|start|released/i.test(v) ? rows.length + 1 : 0);
        if (!best || score > best.score) { best = { name: v, score: score }; }
      }
    });
    if (!best) { return null; }
    var label = vars.filter(function (v) { return /label|title|name/i.test(v); })[0] || null;
    var link = vars.filter(function (v) {
      return rows.some(function (row) { return row[v] && row[v].type === "uri"; });
    })[0] || null;
    return { year: best.name, label: label, link: link };
  }
  function shortName(iri) {
    var cut = Math.max(iri.lastIndexOf("/"), iri.lastIndexOf("#"));
    return decodeURIComponent(iri.slice(cut + 1));
  }

  function Timeline(yasr) {
    this.yasr = yasr;
    this.priority = 5;
    this.label = "Timeline";
    this.helpReference = "";
  }
  Timeline.prototype.canHandleResults = function () {
    var results = this.yasr.results;
    if (!results || results.getBoolean() !== undefined) { return false; }
    var bindings;
    try { bindings = results.getBindings(); } catch (e) { return false; }
    return Boolean(bindings && bindings.length && timelineColumns(results));
  };
  Timeline.prototype.getIcon = function () {
    var icon = el("div", { "class": "fg-timeline-icon" });
    var s = svg("svg", { viewBox: "0 0 24 24", width: "16", height: "16", "aria-hidden": "true" });
    s.appendChild(svg("path", { d: "M2 18h20M5 15v-3M9 15V6M13 15v-5M17 15V8M21 15v-2",
                                stroke: "currentColor", "stroke-width": "2", fill: "none" }));
    icon.appendChild(s);
    return icon;
  };
  Timeline.prototype.draw = function () {
    var results = this.yasr.results;
    var cols = timelineColumns(results);
    var seen = {};
    var items = [];
    results.getBindings().forEach(function (row) {
      var year = yearOf(row[cols.year]);
      if (year === null) { return; }
      var iri = cols.link && row[cols.link] ? row[cols.link].value : null;
      var label = cols.label && row[cols.label] ? row[cols.label].value
        : (iri ? shortName(iri) : String(year));
      var key = (iri || label) + "|" + year;
      if (seen[key]) { return; }
      seen[key] = true;
      items.push({ year: year, label: label, iri: iri });
    });
    items.sort(function (a, b) { return a.year - b.year || a.label.localeCompare(b.label); });
    var first = items[0].year, last = items[items.length - 1].year;
    var box = el("div", { "class": "fg-timeline", id: "fg-timeline" });
    box.appendChild(el("p", { "class": "fg-timeline-caption" },
      items.length + (items.length === 1 ? " row" : " rows") + " by " + cols.year +
      ", " + first + (last !== first ? "–" + last : "") + ". Point at a dot for its name, click to open it."));
    var width = Math.max(this.yasr.resultsEl.clientWidth || 800, 480) - 20;
    var pad = 30, dot = 9;
    var span = Math.max(last - first, 1);
    var perYear = (width - 2 * pad) / span;
    var stacks = {};
    var height = 0;
    items.forEach(function (item) {
      var level = stacks[item.year] = (stacks[item.year] || 0) + 1;
      height = Math.max(height, level);
    });
    var plotHeight = Math.min(height, 40) * (dot + 3) + 10;
    var chart = svg("svg", { width: String(width), height: String(plotHeight + 36),
                             role: "img", "aria-label": "timeline of the results" });
    var axisY = plotHeight + 6;
    chart.appendChild(svg("line", { x1: String(pad), x2: String(width - pad), y1: String(axisY),
                                    y2: String(axisY), stroke: "#888" }));
    var step = span > 120 ? 50 : span > 50 ? 20 : span > 20 ? 10 : span > 8 ? 2 : 1;
    for (var y = Math.ceil(first / step) * step; y <= last; y += step) {
      var x = pad + (y - first) * perYear;
      chart.appendChild(svg("line", { x1: String(x), x2: String(x), y1: String(axisY),
                                      y2: String(axisY + 5), stroke: "#888" }));
      var tick = svg("text", { x: String(x), y: String(axisY + 18), "text-anchor": "middle",
                               "class": "fg-tick" });
      tick.textContent = String(y);
      chart.appendChild(tick);
    }
    var placed = {};
    items.forEach(function (item) {
      var level = placed[item.year] = (placed[item.year] || 0) + 1;
      if (level > 40) { return; }
      var cx = pad + (item.year - first) * perYear;
      var cy = axisY - 4 - level * (dot + 3) + dot / 2;
      var mark = svg("circle", { cx: cx.toFixed(1), cy: cy.toFixed(1), r: String(dot / 2),
                                 "class": "fg-dot" });
      var title = svg("title", {});
      title.textContent = item.label + " (" + item.year + ")";
      mark.appendChild(title);
      if (item.iri) {
        var a = svg("a", { href: localHref(item.iri) });
        a.appendChild(mark);
        chart.appendChild(a);
      } else {
        chart.appendChild(mark);
      }
    });
    box.appendChild(chart);
    this.yasr.resultsEl.appendChild(box);
  };
  Timeline.prototype.download = function () { return undefined; };
  Yasr.registerPlugin("timeline", Timeline);

  /* ---- the editor ---- */
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: ENDPOINT, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    populateFromUrl: true,
    autofocus: false,
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: ENDPOINT }]; },
      keys: []
    },
    yasr: { defaultPlugin: "table", pluginOrder: ["table", "timeline", "response"] }
  });

  /* Our resources dereference here: rewrite their links wherever Yasr draws them. */
  function localiseLinks(root) {
    var links = root.querySelectorAll ? root.querySelectorAll("a[href^='" + ID + "']") : [];
    Array.prototype.forEach.call(links, function (a) {
      a.setAttribute("href", localHref(a.getAttribute("href")));
      a.removeAttribute("target");
    });
  }
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      Array.prototype.forEach.call(change.addedNodes, function (node) {
        if (node.nodeType === 1) {
          if (node.matches && node.matches("a[href^='" + ID + "']")) { localiseLinks(node.parentNode); }
          localiseLinks(node);
        }
      });
    });
  }).observe(document.getElementById("yasgui"), { childList: true, subtree: true });

  /* The address bar and the share link hold the query in the editor. */
  var share = document.getElementById("share-link");
  function linkFor(query) {
    return location.pathname + "?" + new URLSearchParams({ query: query }).toString();
  }
  function remember(tab) {
    var query = tab.getQuery();
    var link = linkFor(query);
    history.replaceState(null, "", link);
    share.href = link;
  }
  yasgui.on("query", function (instance, tab) { remember(tab); });
  yasgui.on("queryResponse", function () {
    document.body.dataset.results = String(Number(document.body.dataset.results || 0) + 1);
  });

  /* ---- the examples: the named queries of /queries ---- */
  var about = document.getElementById("example-about");
  var list = document.getElementById("example-list");
  var filter = document.getElementById("example-filter");

  function exampleValue(param) {
    if (param["default"] !== null && param["default"] !== undefined) { return param["default"]; }
    var m = /e\.g\.\s*([^\s,;)]+)/.exec(param.description || "");
    return m ? m[1] : null;
  }
  function sparqlValue(param, value, known, used) {
    if (param.type === "iri") {
      var m = /^([A-Za-z][\w-]*):(.*)$/.exec(value);
      if (m && known[m[1]] && !/^\/\//.test(m[2])) { used[m[1]] = true; return value; }
      return "<" + value + ">";
    }
    if (param.type === "integer" || param.type === "decimal" || param.type === "boolean") {
      return value;
    }
    if (param.type === "year" || param.type === "date") {
      used.xsd = true;
      return JSON.stringify(value) + "^^xsd:" + (param.type === "year" ? "gYear" : "date");
    }
    return JSON.stringify(value);
  }
  function exampleText(query, known) {
    var used = {};
    var lines = [];
    query.parameters.forEach(function (p) {
      var value = exampleValue(p);
      if (value === null) {
        lines.push("  # VALUES ?" + p.name + " { … }   # " + p.description);
      } else if (p.required || p["default"] !== null && p["default"] !== undefined) {
        lines.push("  VALUES ?" + p.name + " { " + sparqlValue(p, value, known, used) + " }   # " +
                   p.description);
      } else {
        lines.push("  # VALUES ?" + p.name + " { " + sparqlValue(p, value, known, used) +
                   " }   # optional: " + p.description);
      }
    });
    var text = query.text;
    if (lines.length) {
      var pattern = /^(?!\s*#).*?\bWHERE\s*\{/im;
      var m = pattern.exec(text);
      if (m) {
        var at = m.index + m[0].length;
        text = text.slice(0, at) + "\n" + lines.join("\n") + text.slice(at);
      }
    }
    var missing = Object.keys(used).filter(function (p) {
      return !new RegExp("^\\s*PREFIX\\s+" + p + ":", "im").test(text);
    }).map(function (p) { return "PREFIX " + p + ": <" + known[p] + ">"; });
    if (missing.length) {
      var header = /^(?:#.*\n)*/.exec(text)[0];
      text = header + missing.join("\n") + "\n" + text.slice(header.length);
    }
    return text;
  }
  function choose(query, known, item) {
    Array.prototype.forEach.call(list.querySelectorAll("[aria-current]"), function (n) {
      n.removeAttribute("aria-current");
    });
    item.setAttribute("aria-current", "true");
    about.hidden = false;
    about.textContent = query.name + ": " + (query.question || query.summary);
    var tab = yasgui.getTab();
    tab.setQuery(exampleText(query, known));
    tab.getYasqe().query().catch(function () {});
  }
  function showExamples(queries, known) {
    queries.filter(function (q) { return !/-violation$/.test(q.name); })
      .concat(queries.filter(function (q) { return /-violation$/.test(q.name); }))
      .forEach(function (query) {
        var item = el("li", { "data-name": query.name });
        var button = el("button", { type: "button", "class": "example" });
        button.appendChild(el("span", { "class": "example-name" }, query.name));
        button.appendChild(el("span", { "class": "example-summary" }, query.summary));
        button.title = query.question || query.summary;
        button.addEventListener("click", function () { choose(query, known, item); });
        item.appendChild(button);
        list.appendChild(item);
      });
    filter.addEventListener("input", function () {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(list.children, function (item) {
        var text = item.textContent.toLowerCase() + " " + item.firstChild.title.toLowerCase();
        item.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
      });
    });
  }

  Promise.all([getJson("/queries"), prefixes]).then(function (loaded) {
    showExamples(loaded[0], loaded[1]);
    var given = new URLSearchParams(location.search).get("query");
    var tab = yasgui.getTab();
    if (given) {
      tab.setQuery(given);
      tab.getYasqe().query().catch(function () {});
    }
    share.href = linkFor(tab.getQuery());
    document.body.dataset.ready = "true";
  });

  window.filmgraph = { yasgui: yasgui, exampleText: exampleText, terms: terms,
                       prefixes: prefixes };
}());
