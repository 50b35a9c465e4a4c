/* The Cytoscape.js look shared by the graph view, the entity page and the editor. */
(function () {
  "use strict";
  var CLASS_KINDS = ["class", "concept", "scheme", "restriction"];

  window.kgapiGraphStyle = function () {
    return [
      {
        selector: "node",
        style: {
          "label": "data(label)",
          "font-size": 11,
          "font-family": "system-ui, 'Noto Sans CJK SC', 'Noto Sans SC', sans-serif",
          "text-valign": "bottom",
          "text-margin-y": 3,
          "text-wrap": "wrap",
          "text-max-width": 120,
          "color": "#1d2733",
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.75,
          "text-background-padding": 1,
          "background-color": "#3f7fbf",
          "width": 16,
          "height": 16,
        },
      },
      {
        selector: "node[kind = 'class'], node[kind = 'concept'], node[kind = 'scheme'], node.class-like",
        style: { "shape": "round-rectangle", "background-color": "#8a5cc2", "width": 18, "height": 14 },
      },
      { selector: "node[kind = 'scheme']", style: { "background-color": "#5b3a8c", "width": 24, "height": 18 } },
      {
        selector: "node[?focus]",
        style: { "background-color": "#d9822b", "width": 26, "height": 26, "font-weight": "bold", "font-size": 13 },
      },
      {
        selector: "edge",
        style: {
          "width": 1.4,
          "curve-style": "bezier",
          "line-color": "#8c99a6",
          "target-arrow-color": "#8c99a6",
          "target-arrow-shape": "triangle",
          "arrow-scale": 0.8,
          "label": "",
          "font-size": 9,
          "color": "#56606b",
        },
      },
      {
        selector: "edge[?inferred]",
        style: { "line-style": "dashed", "line-color": "#e0703a", "target-arrow-color": "#e0703a" },
      },
      { selector: "edge.labelled", style: { "label": "data(label)", "text-rotation": "autorotate" } },
      { selector: "node:selected", style: { "border-width": 3, "border-color": "#d9822b" } },
    ];
  };

  /** True if a node's kind makes it a class-like node (drawn as a rounded rectangle). */
  window.kgapiIsClassLike = function (kind) {
    return CLASS_KINDS.indexOf(kind) >= 0;
  };

  /** Open the page of a clicked node, if it names an IRI. */
  window.kgapiOpenOnTap = function (cy) {
    cy.on("tap", "node", function (event) {
      var iri = event.target.data("iri") || event.target.id();
      var href = event.target.data("href");
      if (href) {
        window.location.href = href;
      } else if (iri && iri.indexOf("_:") !== 0 && iri.indexOf(":") > 0 && !event.target.data("focus")) {
        window.location.href = window.kgapi.pageOf(iri);
      }
    });
  };
})();
