/* Shared by every page: the page's data, its words, and the remembered language. */
(function () {
  "use strict";
  var element = document.getElementById("kgapi-page");
  var page = element ? JSON.parse(element.textContent) : {};
  var STORAGE_KEY = "kgapi.lang";
  var LANGUAGES = ["en", "zh"];

  function remember(language) {
    try {
      window.localStorage.setItem(STORAGE_KEY, language);
    } catch (error) {
      /* storage may be off; the cookie still remembers */
    }
  }

  function stored() {
    try {
      return window.localStorage.getItem(STORAGE_KEY);
    } catch (error) {
      return null;
    }
  }

  // The server remembers the language in a cookie; if that is gone but this browser stored a
  // choice, ask for the page again in that language.
  var params = new URLSearchParams(window.location.search);
  var wanted = stored();
  var hasCookie = document.cookie.split(";").some(function (part) {
    return part.trim().indexOf("kgapi_lang=") === 0;
  });
  if (!params.has("lang") && !hasCookie && wanted && wanted !== page.lang &&
      LANGUAGES.indexOf(wanted) >= 0) {
    params.set("lang", wanted);
    window.location.replace(window.location.pathname + "?" + params.toString() + window.location.hash);
    return;
  }
  remember(page.lang);
  document.querySelectorAll(".lang-switch a").forEach(function (link) {
    link.addEventListener("click", function () {
      remember(link.getAttribute("data-lang"));
    });
  });
  var current = document.body.className.replace("page-", "");
  document.querySelectorAll(".main-nav a").forEach(function (link) {
    if (link.getAttribute("data-nav") === current) {
      link.setAttribute("aria-current", "page");
    }
  });

  /** This server's page for an IRI: our own IRIs at their path, others through /entity. */
  function pageOf(iri) {
    var base = page.base || "";
    if (base && iri.indexOf(base + "resource/") === 0) {
      return "/resource/" + iri.slice((base + "resource/").length);
    }
    if (base && iri.indexOf(base + "ontology/") === 0) {
      return "/ontology/" + iri.slice((base + "ontology/").length);
    }
    return "/entity?id=" + encodeURIComponent(iri);
  }

  window.kgapi = {
    page: page,
    t: function (key) {
      return (page.messages && page.messages[key]) || key;
    },
    pageOf: pageOf,
  };
})();
