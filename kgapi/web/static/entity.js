/* The entity page's small neighbourhood graph, drawn from the statements on the page. */
(function () {
  "use strict";
  var container = document.getElementById("mini-graph");
  var elements = window.kgapi.page.elements || [];
  if (!container || !window.cytoscape) {
    return;
  }
  var cy = window.cytoscape({
    container: container,
    elements: elements,
    style: window.kgapiGraphStyle(),
    wheelSensitivity: 0.3,
    layout: { name: "concentric", minNodeSpacing: 12, padding: 10,
              concentric: function (node) { return node.data("focus") ? 2 : 1; },
              levelWidth: function () { return 1; } },
  });
  window.kgapiOpenOnTap(cy);
  window.kgapiGraph = cy;
})();
