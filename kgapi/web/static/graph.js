/* The graph view: draws an export scope (GET /export?format=cytoscape) with Cytoscape.js. */
(function () {
  "use strict";
  var kgapi = window.kgapi;
  var form = kgapi.page.form;
  var status = document.getElementById("graph-status");
  var list = document.getElementById("node-list");
  var scopeSelect = document.getElementById("scope");

  function showFields() {
    var scope = scopeSelect.value;
    document.querySelectorAll(".when-axis").forEach(function (el) {
      el.hidden = scope !== "axis";
    });
    document.querySelectorAll(".when-neighbourhood").forEach(function (el) {
      el.hidden = scope !== "neighbourhood";
    });
  }
  scopeSelect.addEventListener("change", showFields);
  showFields();

  var params = new URLSearchParams({
    format: "cytoscape",
    scope: form.scope,
    lang: kgapi.page.lang,
    inferred: form.inferred ? "true" : "false",
  });
  if (form.scope === "axis") {
    params.set("axis", form.axis);
  }
  if (form.scope === "neighbourhood") {
    if (!form.focus) {
      status.textContent = kgapi.t("graph.failed") + ": focus?";
      return;
    }
    params.set("focus", form.focus);
    params.set("depth", form.depth || "1");
  }

  fetch("/export?" + params.toString(), { headers: { Accept: "application/vnd.cytoscape.js+json" } })
    .then(function (response) {
      if (!response.ok) {
        return response.text().then(function (text) {
          var detail = text;
          try {
            detail = JSON.parse(text).detail || text;
          } catch (error) {
            /* plain text */
          }
          throw new Error(response.status + " " + detail);
        });
      }
      return response.json();
    })
    .then(draw)
    .catch(function (error) {
      status.textContent = kgapi.t("graph.failed") + ": " + error.message;
      status.classList.add("error");
    });

  function elementsOf(data) {
    var elements = data.elements || data;
    var nodes = (elements.nodes || []).map(function (node) {
      var d = node.data;
      d.label = d.label || d.name || d.id;
      if (form.scope === "neighbourhood" && d.slug && (d.slug === form.focus || d.iri === form.focus)) {
        d.focus = true;
      }
      return { data: d };
    });
    var edges = (elements.edges || []).map(function (edge, index) {
      var d = edge.data;
      d.id = d.id || "e" + index;
      d.inferred = d.inferred === true || d.inferred === "true";
      return { data: d };
    });
    return { nodes: nodes, edges: edges };
  }

  function draw(data) {
    var elements = elementsOf(data);
    var cy = window.cytoscape({
      container: document.getElementById("graph"),
      elements: elements,
      style: window.kgapiGraphStyle(),
      wheelSensitivity: 0.3,
      minZoom: 0.05,
      maxZoom: 3,
      layout: { name: "preset" },
    });
    // Lay out by the asserted edges only: inferred ones (e.g. transitive subclass links) would
    // pull every node next to the top of its hierarchy.
    // (A node reached by inferred edges only keeps them, or it would float loose.)
    var asserted = cy.nodes().union(cy.edges().filter(function (edge) {
      return !edge.data("inferred") || edge.source().connectedEdges("[!inferred]").length === 0;
    }));
    var layout = { name: "cose", animate: false, padding: 30, nodeRepulsion: 14000,
                   idealEdgeLength: 70, numIter: 2500, randomize: false };
    asserted.layout(layout).run();
    if (elements.edges.length <= 20) {
      cy.edges().addClass("labelled");
    }
    window.kgapiOpenOnTap(cy);
    window.kgapiGraph = cy;
    status.textContent = cy.nodes().length + " " + kgapi.t("graph.nodes") + " · " +
      cy.edges().length + " " + kgapi.t("graph.edges");
    status.setAttribute("data-nodes", String(cy.nodes().length));
    var labels = cy.nodes().map(function (node) {
      return { label: node.data("label"), iri: node.data("iri") || node.id() };
    });
    labels.sort(function (a, b) { return a.label.localeCompare(b.label); });
    labels.forEach(function (item) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.textContent = item.label;
      link.href = kgapi.pageOf(item.iri);
      li.appendChild(link);
      list.appendChild(li);
    });
    document.body.setAttribute("data-graph-ready", "true");
  }
})();
