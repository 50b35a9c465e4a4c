// The curation form: builds the product's triples (N-Triples), asks /api/check what a write
// would do, and sends it to the Graph Store Protocol with the curator's bearer token.
(function () {
  "use strict";
  var page = JSON.parse(document.getElementById("kgapi-page").textContent);
  var words = page.messages_curate || {};
  var form = document.getElementById("curate-form");
  var report = document.getElementById("curate-report");
  var preview = document.getElementById("curate-turtle");
  var VIRT = page.vocabulary;
  var SKOS = "http://www.w3.org/2004/02/skos/core#";
  var RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
  var DCT_SOURCE = "http://purl.org/dc/terms/source";
  var IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^<>"{}|^`\\\s]*$/;
  var TOKEN_KEY = "kgapi-curate-token";

  function word(key) { return words[key] || key; }
  function iri(value) { return "<" + value + ">"; }
  function literal(text, language) {
    var escaped = text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')
      .replace(/\n/g, "\\n").replace(/\r/g, "\\r");
    return '"' + escaped + '"@' + language;
  }
  function value(name) { return (form.elements[name].value || "").trim(); }

  function triples() {
    var subject = value("iri");
    if (!IRI.test(subject)) { return null; }
    var lines = [];
    var s = iri(subject);
    if (!value("existing")) { lines.push(s + " " + iri(RDF_TYPE) + " " + iri(VIRT + "SoftwareProduct") + " ."); }
    [["label_en", "prefLabel", "en"], ["label_zh", "prefLabel", "zh"],
     ["definition_en", "definition", "en"], ["definition_zh", "definition", "zh"]].forEach(function (f) {
      if (value(f[0])) { lines.push(s + " " + iri(SKOS + f[1]) + " " + literal(value(f[0]), f[2]) + " ."); }
    });
    form.querySelectorAll("select[data-property]").forEach(function (select) {
      if (!select.value) { return; }
      var property = select.dataset.property === "source" ? DCT_SOURCE : VIRT + select.dataset.property;
      lines.push(s + " " + iri(property) + " " + iri(select.value) + " .");
    });
    return lines.join("\n") + "\n";
  }

  function refresh() {
    var data = triples();
    preview.textContent = data === null ? word("curate.bad_iri") : data;
    return data;
  }

  function show(kind, title, items) {
    report.innerHTML = "";
    var heading = document.createElement("p");
    heading.className = "status " + kind;
    heading.textContent = title;
    report.appendChild(heading);
    if (items && items.length) {
      var list = document.createElement("ul");
      list.className = "problems";
      items.forEach(function (text) {
        var item = document.createElement("li");
        item.textContent = text;
        list.appendChild(item);
      });
      report.appendChild(list);
    }
  }

  function problems(body) {
    return (body.problems || []).map(function (p) {
      return (p.path ? p.path + ": " : "") + p.message + " — " + p.focus;
    });
  }

  function newTypes(body) {
    var types = body.new_inferred_types || {};
    return Object.keys(types).map(function (subject) {
      return word("curate.now_a") + " " + types[subject].map(function (t) {
        return t.replace(VIRT, "virt:");
      }).join(", ");
    });
  }

  function target() {
    var graph = value("graph");
    return IRI.test(graph) ? "?graph=" + encodeURIComponent(graph) : null;
  }

  async function check() {
    var data = refresh();
    var graph = target();
    if (data === null || graph === null) { show("error", word("curate.bad_iri")); return; }
    var answer = await fetch("/api/check" + graph, {
      method: "POST", headers: {"Content-Type": "application/n-triples"}, body: data
    });
    var body = await answer.json();
    if (!answer.ok) { show("error", body.detail || answer.statusText, problems(body)); return; }
    if (body.valid) {
      show("ok", word("curate.valid") + " (+" + (body.added || 0) + ")", newTypes(body));
    } else {
      show("error", word("curate.invalid"), problems(body));
    }
  }

  async function send(event) {
    event.preventDefault();
    var data = refresh();
    var graph = target();
    if (data === null || graph === null) { show("error", word("curate.bad_iri")); return; }
    var token = value("token");
    sessionStorage.setItem(TOKEN_KEY, token);
    var headers = {"Content-Type": "application/n-triples", "Authorization": "Bearer " + token};
    // Percent-encoded: a header value is ASCII (a browser refuses one outside latin-1).
    if (value("message")) { headers["X-Change-Message"] = encodeURIComponent(value("message")); }
    var answer = await fetch("/store" + graph, {method: "POST", headers: headers, body: data});
    var body = await answer.json();
    if (answer.ok) {
      show("ok", word("curate.accepted") + " " + (body.version || ""), newTypes(body));
    } else {
      show("error", (body.title || answer.status) + ": " + (body.detail || ""), problems(body));
    }
  }

  form.elements.existing.addEventListener("change", function () {
    if (value("existing")) { form.elements.iri.value = value("existing"); }
    refresh();
  });
  form.addEventListener("input", refresh);
  form.addEventListener("submit", send);
  document.getElementById("curate-check").addEventListener("click", check);
  form.elements.token.value = sessionStorage.getItem(TOKEN_KEY) || "";
  refresh();
})();
