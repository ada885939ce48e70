/* filmgraph influence map: filters, search, side panel and the ready flag.
 *
 * Reads the data the page inlines (#fg-nodes, #fg-edges, #fg-options, #fg-page), draws it
 * with vis-network and exposes `window.filmgraph` for tests and benchmarks. Text from the
 * data is only ever set with textContent, never parsed as HTML.
 */
(function () {
  "use strict";

  function json(id) { return JSON.parse(document.getElementById(id).textContent); }

  var page = json("fg-page");
  var options = json("fg-options");
  var nodes = new vis.DataSet(json("fg-nodes"));
  var edges = new vis.DataSet(json("fg-edges"));
  var container = document.getElementById("fg-network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  var details = page.details;
  var state = { ready: false, readyAt: null, selected: null };

  /* ---- the ready flag: drawn, and nothing moves any more ---- */
  function markReady() {
    if (state.ready) { return; }
    state.ready = true;
    state.readyAt = performance.now();
    document.body.dataset.ready = "true";
  }
  if (page.layout === "force") {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      network.once("afterDrawing", markReady);
      network.redraw();
    });
  } else {
    /* The map opens on all of it (the focus, a film or person the map is about, has a thicker
     * border; the search box brings any node close). Labels are measured when first drawn,
     * so the view is fitted again once they are, and the page is ready after that. */
    network.fit({ animation: false });
    network.once("afterDrawing", function () {
      network.once("afterDrawing", markReady);
      network.fit({ animation: false });
    });
  }

  /* ---- the year axis of the timeline layout, drawn under the network ---- */
  var axis = page.axis || { ticks: [], undated: null };
  if (axis.ticks.length || axis.undated !== null) {
    network.on("beforeDrawing", function (ctx) {
      var scale = network.getScale();
      var top = network.DOMtoCanvas({ x: 0, y: 0 });
      var bottom = network.DOMtoCanvas({ x: container.clientWidth, y: container.clientHeight });
      var marks = axis.ticks.map(function (t) { return [t[0], String(t[1])]; });
      if (axis.undated !== null) { marks.push([axis.undated, "undated"]); }
      ctx.save();
      ctx.lineWidth = 1 / scale;
      ctx.strokeStyle = "rgba(0, 0, 0, 0.10)";
      ctx.fillStyle = "#6b6b6b";
      ctx.font = (12 / scale) + "px sans-serif";
      marks.forEach(function (m) {
        ctx.beginPath();
        ctx.moveTo(m[0], top.y);
        ctx.lineTo(m[0], bottom.y);
        ctx.stroke();
        ctx.fillText(m[1], m[0] + 3 / scale, top.y + 14 / scale);
      });
      ctx.restore();
    });
  }

  /* ---- small DOM helpers (textContent only) ---- */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    var key;
    for (key in attrs || {}) {
      if (key === "text") { node.textContent = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) { continue; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }
  function row(list, term, value) {
    if (value === null || value === undefined || value === "" ||
        (Array.isArray(value) && value.length === 0)) { return; }
    list.appendChild(el("dt", { text: term }));
    list.appendChild(typeof value === "string" ? el("dd", { text: value }) : el("dd", {}, value));
  }
  function nodeLink(id) {
    var info = details.nodes[id];
    var button = el("button", { type: "button", "class": "fg-link",
                                text: info.label + (info.year ? " (" + info.year + ")" : "") });
    button.addEventListener("click", function () { select(id); });
    return button;
  }

  /* ---- the side panel ---- */
  var panel = document.getElementById("fg-panel");
  var body = document.getElementById("fg-panel-body");
  function openPanel() {
    panel.hidden = false;
    network.redraw();
  }
  function closePanel() {
    panel.hidden = true;
    body.textContent = "";
    state.selected = null;
    network.unselectAll();
  }
  document.getElementById("fg-panel-close").addEventListener("click", closePanel);

  function showNode(id) {
    var info = details.nodes[id];
    if (!info) { return; }
    state.selected = { node: id };
    body.textContent = "";
    body.appendChild(el("h2", { id: "fg-panel-title", text: info.label }));
    body.appendChild(el("p", { "class": "fg-sub", text: info.kind + (info.year ? ", " + info.year : "") }));
    var list = el("dl");
    if (info.kind === "film") { row(list, "Year", info.year ? String(info.year) : "unknown"); }
    if (info.kind === "person") {
      row(list, "Born", info.born);
      row(list, "Died", info.died);
      row(list, "First credit", info.year ? String(info.year) : null);
    }
    if (info.kind === "event" || info.kind === "movement") {
      row(list, "From", info.year ? String(info.year) : null);
    }
    row(list, info.directors.length > 1 ? "Directors" : "Director", info.directors.join(", "));
    if (info.movements.length) {
      var ms = el("ul");
      info.movements.forEach(function (m) {
        ms.appendChild(el("li", {}, el("span", { "class": "fg-swatch", style: "background:" + m[1] }), " " + m[0]));
      });
      row(list, info.movements.length > 1 ? "Movements" : "Movement", ms);
    }
    if (info.position) {
      row(list, "Influence rank", "#" + info.position + " of " + info.ranked);
    }
    list.appendChild(el("dt", { text: "IRI" }));
    list.appendChild(el("dd", {}, el("code", { text: info.iri })));
    body.appendChild(list);
    var earlier = [], later = [];
    network.getConnectedEdges(id).forEach(function (edgeId) {
      var e = details.edges[edgeId];
      if (!e || e.kind !== "influence") { return; }
      if (e.to === id) { earlier.push(e.from); } else if (e.from === id) { later.push(e.to); }
    });
    [["Drew on", earlier], ["Left a mark on", later]].forEach(function (pair) {
      if (!pair[1].length) { return; }
      body.appendChild(el("h3", { text: pair[0] + " (" + pair[1].length + ")" }));
      var ul = el("ul");
      pair[1].forEach(function (other) { ul.appendChild(el("li", {}, nodeLink(other))); });
      body.appendChild(ul);
    });
    openPanel();
  }

  var KIND_TITLES = {
    influence: "drew on",
    similarity: "is said to be similar to",
    context: "is the historical context of",
    membership: "includes"
  };
  function showEdge(edgeId) {
    var e = details.edges[edgeId];
    if (!e) { return; }
    state.selected = { edge: edgeId };
    var a = details.nodes[e.from], b = details.nodes[e.to];
    body.textContent = "";
    body.appendChild(el("h2", { id: "fg-panel-title", text: a.label + " → " + b.label }));
    var sub = e.kind === "influence" ? b.label + " " + KIND_TITLES.influence + " " + a.label
      : a.label + " " + KIND_TITLES[e.kind] + " " + b.label;
    body.appendChild(el("p", { "class": "fg-sub", text: sub }));
    body.appendChild(el("p", {}, nodeLink(e.from), " → ", nodeLink(e.to)));
    if (e.kind === "influence") {
      body.appendChild(el("h3", { text: e.claims.length === 1 ? "1 claim" : e.claims.length + " claims" }));
      e.claims.forEach(function (c) {
        var box = el("div", { "class": "fg-claim" });
        var list = el("dl");
        row(list, "Type", c.type);
        row(list, "Aspect", c.aspect || "not stated");
        row(list, "Confidence", (c.confidence || "unknown") + " (" + c.weight + ")");
        var source = el("span", { text: c.source });
        if (c.source_url) {
          source.appendChild(document.createTextNode(" "));
          /* only web addresses become links: a javascript: URL in the data stays text */
          source.appendChild(/^https?:\/\//i.test(c.source_url)
            ? el("a", { href: c.source_url, target: "_blank", rel: "noopener noreferrer", text: c.source_url })
            : el("span", { text: c.source_url }));
        }
        row(list, "Source", source);
        box.appendChild(list);
        if (c.evidence) { box.appendChild(el("blockquote", { text: c.evidence })); }
        body.appendChild(box);
      });
    } else if (e.kind === "similarity") {
      body.appendChild(el("p", { text: "Similarity, not influence." }));
      if (e.sources.length) {
        var ul = el("ul");
        e.sources.forEach(function (s) { ul.appendChild(el("li", { text: s })); });
        body.appendChild(el("h3", { text: "Said by" }));
        body.appendChild(ul);
      }
    }
    openPanel();
  }

  function select(id) {
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1), animation: false });
    showNode(id);
  }

  /* ---- the full name of a node under the pointer: labels are shortened, and hidden when
   * the map is zoomed out too far to read them ---- */
  var hover = document.getElementById("fg-hover");
  network.on("hoverNode", function (params) {
    var info = details.nodes[params.node];
    if (!info) { return; }
    hover.textContent = info.label + (info.year ? " (" + info.year + ")" : "");
    hover.style.left = (params.pointer.DOM.x + 14) + "px";
    hover.style.top = (params.pointer.DOM.y + 14) + "px";
    hover.hidden = false;
  });
  network.on("blurNode", function () { hover.hidden = true; });
  network.on("dragStart", function () { hover.hidden = true; });

  network.on("click", function (params) {
    if (params.nodes.length) { showNode(params.nodes[0]); }
    else if (params.edges.length) { showEdge(params.edges[0]); }
    else { closePanel(); }
  });

  /* ---- filters: decade, confidence, claim type ---- */
  var decadeFrom = document.getElementById("fg-decade-from");
  var decadeTo = document.getElementById("fg-decade-to");
  var undated = document.getElementById("fg-undated");
  var confidence = document.getElementById("fg-confidence");
  var typeBoxes = Array.prototype.slice.call(document.querySelectorAll("#fg-types input[data-type]"));
  var status = document.getElementById("fg-status");
  var totalNodes = nodes.length, totalEdges = edges.length;

  function applyFilters() {
    var from = decadeFrom.value === "" ? -Infinity : Number(decadeFrom.value);
    var to = decadeTo.value === "" ? Infinity : Number(decadeTo.value) + 9;
    var minWeight = Number(confidence.value || 0);
    var types = {};
    typeBoxes.forEach(function (box) { types[box.dataset.type] = box.checked; });
    var hiddenNodes = {}, nodeUpdates = [], edgeUpdates = [], shownNodes = 0, shownEdges = 0;
    nodes.forEach(function (n) {
      var hide = n.fgYear === null || n.fgYear === undefined ? !undated.checked
        : n.fgYear < from || n.fgYear > to;
      if (hide) { hiddenNodes[n.id] = true; } else { shownNodes++; }
      if (Boolean(n.hidden) !== hide) { nodeUpdates.push({ id: n.id, hidden: hide }); }
    });
    edges.forEach(function (e) {
      var typed = e.fgTypes.some(function (t) { return types[t] !== false; });
      var hide = hiddenNodes[e.from] || hiddenNodes[e.to] || !typed || e.fgWeight < minWeight;
      if (!hide) { shownEdges++; }
      if (Boolean(e.hidden) !== Boolean(hide)) { edgeUpdates.push({ id: e.id, hidden: Boolean(hide) }); }
    });
    if (nodeUpdates.length) { nodes.update(nodeUpdates); }
    if (edgeUpdates.length) { edges.update(edgeUpdates); }
    status.textContent = shownNodes + " of " + totalNodes + " nodes, " + shownEdges + " of " + totalEdges + " links";
    status.dataset.shownNodes = String(shownNodes);
    status.dataset.shownEdges = String(shownEdges);
  }
  [decadeFrom, decadeTo, undated, confidence].concat(typeBoxes).forEach(function (input) {
    input.addEventListener("change", applyFilters);
  });
  if (!page.decades.length) { decadeFrom.disabled = true; decadeTo.disabled = true; }

  /* ---- search by name ---- */
  var search = document.getElementById("fg-search");
  var names = document.getElementById("fg-names");
  var byName = {};
  Object.keys(details.nodes).sort(function (x, y) {
    return details.nodes[x].label.localeCompare(details.nodes[y].label);
  }).forEach(function (id) {
    var info = details.nodes[id];
    var name = info.label + (info.year ? " (" + info.year + ")" : "");
    if (byName[name] === undefined) {
      byName[name] = id;
      names.appendChild(el("option", { value: name }));
    }
  });
  function find(text) {
    var query = text.trim().toLowerCase();
    if (!query) { return null; }
    var key;
    for (key in byName) { if (key.toLowerCase() === query) { return byName[key]; } }
    for (key in byName) { if (key.toLowerCase().indexOf(query) === 0) { return byName[key]; } }
    for (key in byName) { if (key.toLowerCase().indexOf(query) >= 0) { return byName[key]; } }
    return null;
  }
  function runSearch() {
    var id = find(search.value);
    search.setCustomValidity(id === null && search.value.trim() ? "nothing on this map is called that" : "");
    if (id !== null) { select(id); }
  }
  search.addEventListener("change", runSearch);
  search.addEventListener("keydown", function (event) { if (event.key === "Enter") { runSearch(); } });

  applyFilters();

  window.filmgraph = {
    network: network,
    nodes: nodes,
    edges: edges,
    state: state,
    applyFilters: applyFilters,
    showNode: showNode,
    showEdge: showEdge,
    select: select,
    find: find,
    visibleNodeIds: function () { return nodes.getIds({ filter: function (n) { return !n.hidden; } }); },
    visibleEdgeIds: function () { return edges.getIds({ filter: function (e) { return !e.hidden; } }); }
  };
}());
