// The query page: named queries as examples, any SPARQL in the editor, results as a table.
// Plain browser JavaScript, no libraries, nothing fetched from outside this server.
"use strict";

const examples = new Map();
const form = document.getElementById("query-form");
const select = document.getElementById("example");
const editor = document.getElementById("query");
const params = document.getElementById("params");
const question = document.getElementById("question");
const statusLine = document.getElementById("status");
const notice = document.getElementById("notice");
const results = document.getElementById("results");

function show(message, isError) {
  notice.hidden = !message;
  notice.textContent = message || "";
  notice.classList.toggle("error", Boolean(isError));
}

function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri") {
    const a = document.createElement("a");
    const local = "https://w3id.org/filmgraph/id/";
    a.href = term.value.startsWith(local) ? "/id/" + term.value.slice(local.length) : term.value;
    a.textContent = term.value;
    td.appendChild(a);
  } else {
    td.textContent = term.value + (term["xml:lang"] ? " @" + term["xml:lang"] : "");
  }
  return td;
}

function table(data) {
  results.textContent = "";
  if ("boolean" in data) {
    results.textContent = data.boolean ? "yes" : "no";
    return;
  }
  const t = document.createElement("table");
  t.id = "result-table";
  const head = t.createTHead().insertRow();
  for (const v of data.head.vars) {
    const th = document.createElement("th");
    th.textContent = v;
    head.appendChild(th);
  }
  const body = t.createTBody();
  for (const row of data.results.bindings) {
    const tr = body.insertRow();
    for (const v of data.head.vars) tr.appendChild(cell(row[v]));
  }
  results.appendChild(t);
  const n = data.results.bindings.length;
  statusLine.textContent = n + (n === 1 ? " row" : " rows");
  if (data.truncated) show("Only the first " + data.limit + " rows are shown: the answer was cut at the endpoint's result limit.");
}

async function run(event) {
  event.preventDefault();
  show("");
  statusLine.textContent = "running…";
  const chosen = examples.get(select.value);
  let response;
  const accept = "application/sparql-results+json, text/turtle;q=0.9";
  if (chosen && editor.value === chosen.text) {
    const search = new URLSearchParams();
    for (const input of params.querySelectorAll("input")) {
      if (input.value) search.set(input.name, input.value);
    }
    response = await fetch("/queries/" + encodeURIComponent(chosen.name) + "?" + search, { headers: { Accept: accept } });
  } else {
    response = await fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: accept },
      body: new URLSearchParams({ query: editor.value }),
    });
  }
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok) {
    statusLine.textContent = "error " + response.status;
    show(await response.text(), true);
    return;
  }
  if (type.includes("json")) {
    table(await response.json());
  } else {
    const pre = document.createElement("pre");
    pre.textContent = await response.text();
    results.textContent = "";
    results.appendChild(pre);
    statusLine.textContent = "graph";
  }
}

function choose() {
  const chosen = examples.get(select.value);
  params.textContent = "";
  question.textContent = chosen ? chosen.question : "";
  if (!chosen) return;
  editor.value = chosen.text;
  for (const p of chosen.parameters) {
    const label = document.createElement("label");
    label.textContent = p.name + " (" + p.type + (p.required ? ", required" : "") + ") — " + p.description;
    const input = document.createElement("input");
    input.name = p.name;
    input.value = p.default || "";
    label.appendChild(document.createElement("br"));
    label.appendChild(input);
    params.appendChild(label);
  }
}

async function load() {
  const response = await fetch("/queries");
  for (const q of await response.json()) {
    examples.set(q.name, q);
    const option = document.createElement("option");
    option.value = q.name;
    option.textContent = q.name + " — " + q.summary;
    select.appendChild(option);
  }
  document.body.dataset.ready = "true";
}

select.addEventListener("change", choose);
form.addEventListener("submit", run);
load();
