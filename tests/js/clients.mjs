// The JavaScript clients of the compatibility suite, each with its defaults, against the live
// server whose URL is the first argument. Prints one JSON object of findings; the Python test
// (tests/web/test_clients_javascript.py) asserts on it. Exits non-zero on any error.
import { SparqlEndpointFetcher } from "fetch-sparql-endpoint";
import cytoscape from "cytoscape";
import { forceSimulation, forceLink, forceManyBody } from "d3-force";

const base = process.argv[2];
const endpoint = `${base}/sparql`;
const VIRT = "https://w3id.org/kgapi/ontology/";
const findings = {};

function collect(stream) {
  return new Promise((resolve, reject) => {
    const items = [];
    stream.on("data", (item) => items.push(item));
    stream.on("error", reject);
    stream.on("end", () => resolve(items));
  });
}

// fetch-sparql-endpoint (Comunica's fetcher): SELECT with language-tagged labels, ASK, CONSTRUCT.
const fetcher = new SparqlEndpointFetcher();
const rows = await collect(
  await fetcher.fetchBindings(
    endpoint,
    `SELECT ?label WHERE { <${VIRT}Paravirtualization> <http://www.w3.org/2000/01/rdf-schema#label> ?label }`,
  ),
);
findings.labels = rows.map((row) => ({ value: row.label.value, language: row.label.language }));
findings.ask = await fetcher.fetchAsk(endpoint, "ASK { ?s ?p ?o }");
const triples = await collect(
  await fetcher.fetchTriples(endpoint, "CONSTRUCT WHERE { ?s a ?o } LIMIT 7"),
);
findings.triples = triples.length;
findings.asserted_ask = await fetcher.fetchAsk(
  `${base}/sparql/asserted`,
  `ASK { <https://w3id.org/kgapi/resource/xenserver> a <${VIRT}Type1Hypervisor> }`,
);

// Cytoscape.js, headless: cy.json(document) loads the export whole, and a layout runs.
const cytoscapeDocument = await (await fetch(`${base}/export?scope=taxonomy&format=cytoscape`)).json();
const cy = cytoscape({ headless: true, styleEnabled: false });
cy.json(cytoscapeDocument);
await new Promise((resolve) => {
  const layout = cy.layout({ name: "breadthfirst" });
  layout.one("layoutstop", resolve);
  layout.run();
});
findings.cytoscape = {
  nodes: cy.nodes().length,
  edges: cy.edges().length,
  data: cy.data(),
  positioned: cy.nodes().every((node) => Number.isFinite(node.position("x"))),
};

// d3-force: d3.forceLink(data.links).id(d => d.id) resolves every link to its node objects.
const nodeLink = await (await fetch(`${base}/export?scope=taxonomy&format=nodelink`)).json();
const links = nodeLink.links;
const simulation = forceSimulation(nodeLink.nodes)
  .force("link", forceLink(links).id((d) => d.id))
  .force("charge", forceManyBody())
  .stop();
simulation.tick(10);
findings.d3 = {
  nodes: nodeLink.nodes.length,
  links: links.length,
  resolved: links.every((link) => typeof link.source === "object" && typeof link.target === "object"),
  finite: nodeLink.nodes.every((node) => Number.isFinite(node.x) && Number.isFinite(node.y)),
};

console.log(JSON.stringify(findings));
