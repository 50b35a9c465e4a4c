/* The SPARQL editor: YASGUI against this server's /sparql, with the graph's prefixes, example
   queries (built in, plus the stored queries of /api/queries when served) and CONSTRUCT results
   drawn as a graph. No request leaves this server: prefix and term look-ups on the web are off. */
(function () {
  "use strict";
  var kgapi = window.kgapi;
  var page = kgapi.page;
  var Yasgui = window.Yasgui;
  var endpoint = window.location.origin + page.endpoint;
  var examples = page.examples.slice();
  var select = document.getElementById("examples");

  /** A YASR plugin drawing CONSTRUCT/DESCRIBE results (Turtle) with Cytoscape.js. */
  function GraphPlugin(yasr) {
    this.yasr = yasr;
    this.priority = 20;
    this.label = kgapi.t("editor.graph_tab");
  }
  GraphPlugin.prototype.canHandleResults = function () {
    var results = this.yasr.results;
    return !!results && results.getType && results.getType() === "ttl";
  };
  GraphPlugin.prototype.getIcon = function () {
    var icon = document.createElement("span");
    icon.textContent = "◉";
    return icon;
  };
  GraphPlugin.prototype.draw = function () {
    var quads = this.yasr.results.getStatements();
    var nodes = {};
    var edges = [];
    var prefixes = page.prefixes;
    function shorten(iri) {
      for (var prefix in prefixes) {
        if (iri.indexOf(prefixes[prefix]) === 0) {
          return prefix + ":" + iri.slice(prefixes[prefix].length);
        }
      }
      return iri;
    }
    function node(term) {
      var id = term.termType === "Literal" ? "\"" + term.value + "\"" : term.value;
      if (!nodes[id]) {
        nodes[id] = { data: { id: id, label: term.termType === "NamedNode" ? shorten(term.value) : term.value,
                              iri: term.termType === "NamedNode" ? term.value : "" } };
      }
      return id;
    }
    quads.forEach(function (quad, index) {
      edges.push({ data: { id: "q" + index, source: node(quad.subject), target: node(quad.object),
                           label: shorten(quad.predicate.value) } });
    });
    var container = document.createElement("div");
    container.className = "graph-canvas construct-graph";
    this.yasr.resultsEl.appendChild(container);
    var cy = window.cytoscape({
      container: container,
      elements: { nodes: Object.keys(nodes).map(function (k) { return nodes[k]; }), edges: edges },
      style: window.kgapiGraphStyle(),
      wheelSensitivity: 0.3,
      layout: { name: "cose", animate: false, padding: 20 },
    });
    if (edges.length <= 80) {
      cy.edges().addClass("labelled");
    }
    window.kgapiOpenOnTap(cy);
    window.kgapiConstructGraph = cy;
  };

  Yasgui.Yasr.registerPlugin("graph", GraphPlugin);
  Yasgui.Yasr.defaults.pluginOrder = ["table", "graph", "response"];
  // Term completion asks lov.linkeddata.es: off. Prefix completion uses the bundled list.
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: endpoint }];
      },
    },
    persistenceId: "kgapi-editor",
    populateFromUrl: true,
    yasqe: {
      value: examples[0].query,
      prefixCcApi: "",
      autocompleters: ["prefixes", "variables"],
      resizeable: true,
      editorHeight: "260px",
    },
    yasr: { prefixes: page.prefixes },
  });
  window.kgapiYasgui = yasgui;
  // CONSTRUCT and DESCRIBE answers are graphs: show them drawn.
  yasgui.on("queryResponse", function (instance, tab) {
    window.setTimeout(function () {
      var yasr = tab.getYasr();
      if (yasr.results && yasr.results.getType && yasr.results.getType() === "ttl" &&
          yasr.selectedPlugin !== "graph") {
        yasr.selectPlugin("graph");
      }
    }, 0);
  });

  function tab() {
    return yasgui.getTab();
  }

  function useExample(name) {
    var example = examples.filter(function (e) { return e.name === name; })[0];
    if (!example) {
      return;
    }
    var current = tab();
    current.setQuery(example.query);
    current.setEndpoint(endpoint);
  }

  select.addEventListener("change", function () {
    useExample(select.value);
  });
  // A tab restored from an earlier visit may point elsewhere: bring it back to this server.
  tab().setEndpoint(endpoint);

  // The stored queries, when the lookups API serves them with their text.
  fetch("/api/queries", { headers: { Accept: "application/json" } })
    .then(function (response) {
      return response.ok ? response.json() : { queries: [] };
    })
    .then(function (body) {
      (body.queries || []).forEach(function (stored) {
        var text = stored.query || stored.sparql || stored.text;
        if (!text) {
          return;
        }
        examples.push({ name: "stored:" + stored.name, summary: stored.summary || stored.name, query: text });
        var option = document.createElement("option");
        option.value = "stored:" + stored.name;
        option.textContent = (stored.summary || stored.name) + " (" + stored.name + ")";
        select.appendChild(option);
      });
    })
    .catch(function () {
      /* no stored queries: the built-in examples remain */
    });
})();
