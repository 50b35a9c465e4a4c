/* The comparison page: the table of GET /api/compare, differences highlighted, sources on hover.
   The URL (?ids=a,b,c&diff=true) is the page's whole state, so it can be shared. */
(function () {
  "use strict";
  var kgapi = window.kgapi;
  var ids = (kgapi.page.ids || "").split(",").map(function (s) { return s.trim(); }).filter(Boolean);
  var status = document.getElementById("compare-status");
  var holder = document.getElementById("compare-table");
  var onlyDifferences = kgapi.page.onlyDifferences === true;  // ?diff=, read by the server

  if (ids.length < 2) {
    status.textContent = kgapi.t("compare.empty");
    return;
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) {
      el.className = className;
    }
    if (text !== undefined && text !== null) {
      el.textContent = String(text);
    }
    return el;
  }

  function sourceText(sources) {
    return (sources || []).map(function (source) {
      return (source.id ? source.id + " " : "") + (source.label || source.title || source.iri);
    }).join("\n");
  }

  function valueNode(value) {
    var label = value.label !== undefined ? value.label : value.value;
    var node;
    if (value.iri) {
      node = element("a", null, label);
      node.href = kgapi.pageOf(value.iri);
      node.title = value.iri;
    } else {
      node = element("span", "literal", label);
    }
    var wrap = element("span", "cell-value " + (value.status || ""));
    wrap.appendChild(node);
    if (value.status === "inferred") {
      wrap.appendChild(element("span", "badge inferred", kgapi.t("entity.inferred")));
    }
    return wrap;
  }

  function cellNode(cell) {
    var td = element("td", "cell status-" + (cell.status || "empty"));
    var sources = sourceText(cell.sources);
    if (sources) {
      td.title = kgapi.t("compare.sources") + ":\n" + sources;
    }
    if (!cell.values || cell.values.length === 0) {
      td.appendChild(element("span", "empty", "—"));
    }
    (cell.values || []).forEach(function (value, index) {
      if (index > 0) {
        td.appendChild(document.createTextNode(", "));
      }
      td.appendChild(valueNode(value));
    });
    (cell.contested || []).forEach(function (claim) {
      var box = element("div", "contested");
      box.appendChild(element("b", null, "⚑ " + (claim.label || "")));
      var list = element("ul");
      (claim.positions || []).forEach(function (position) {
        var item = element("li", "position status-" + (position.status || "none"));
        item.textContent = (position.value && position.value.label ? position.value.label : "?") +
          (position.status ? " (" + position.status + ")" : "");
        var positionSources = sourceText(position.sources);
        if (positionSources) {
          item.title = positionSources;
        }
        list.appendChild(item);
      });
      box.appendChild(list);
      td.appendChild(box);
    });
    return td;
  }

  function draw(comparison) {
    var table = element("table", "comparison");
    var head = element("thead");
    var headRow = element("tr");
    headRow.appendChild(element("th", null, kgapi.t("compare.property")));
    comparison.entities.forEach(function (entity) {
      var th = element("th");
      var link = element("a", null, entity.label || entity.iri);
      link.href = kgapi.pageOf(entity.iri);
      th.appendChild(link);
      headRow.appendChild(th);
    });
    head.appendChild(headRow);
    table.appendChild(head);
    var body = element("tbody");
    comparison.attributes.forEach(function (attribute) {
      if (attribute.agreement === "empty") {
        return;
      }
      if (onlyDifferences && attribute.agreement !== "differs") {
        return;
      }
      var row = element("tr", "row-" + attribute.agreement + (attribute.contested ? " row-contested" : ""));
      row.setAttribute("data-attribute", attribute.name);
      row.appendChild(element("th", null, attribute.label));
      comparison.entities.forEach(function (entity) {
        row.appendChild(cellNode(attribute.cells[entity.iri] || {}));
      });
      body.appendChild(row);
    });
    table.appendChild(body);
    holder.appendChild(table);
    status.textContent = "";
    document.body.setAttribute("data-compare-ready", "true");
  }

  var params = new URLSearchParams({ ids: ids.join(","), lang: kgapi.page.lang });
  fetch("/api/compare?" + params.toString(), { headers: { Accept: "application/json" } })
    .then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) {
          throw new Error(body.detail || body.title || response.status);
        }
        return body;
      });
    })
    .then(draw)
    .catch(function (error) {
      status.textContent = kgapi.t("compare.failed") + ": " + error.message;
      status.classList.add("error");
    });
})();
