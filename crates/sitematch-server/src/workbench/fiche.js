// A fiche's map: the site and its drive-time catchments (15, 30, 45 minutes), asked
// from the server, which computes them with the library's isochrones.
"use strict";
(async () => {
  const b = document.body.dataset;
  // A server with tokens: the workbench that wrote this page holds the token.
  const token = (window.opener && window.opener.sitematchToken && window.opener.sitematchToken()) || "";
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  document.getElementById("print").addEventListener("click", () => window.print());
  const at = [Number(b.lat), Number(b.lon)];
  const map = L.map("map", { zoomSnap: 0.25 }).setView(at, 10);
  L.circleMarker(at, { radius: 8, color: "#000", weight: 2, fillColor: "#fff", fillOpacity: 1 }).addTo(map).bindTooltip("the site");
  // The départements' outlines, for context (no basemap is fetched).
  if (b.outlines) {
    fetch("/collections/departements/items?limit=200&f=json", { headers })
      .then((r) => (r.ok ? r.json() : null))
      .then((g) => g && L.geoJSON(g, { interactive: false, style: { color: "#999", weight: 0.7, fill: false } }).addTo(map))
      .catch(() => {});
  }
  const note = document.getElementById("catchment-note");
  if (!b.network) {
    b.catchments = "0";
    return;
  }
  const colours = { 15: "#1a9850", 30: "#fee08b", 45: "#d73027" };
  try {
    const q = new URLSearchParams({ ranking: b.ranking, site: b.site, minutes: "15,30,45" });
    const r = await fetch(`/workbench/catchments?${q}`, { headers });
    const g = await r.json();
    if (!r.ok) throw new Error(g.detail || r.status);
    // The longest first, so that the shorter ones lie on top.
    const features = [...g.features].reverse();
    const layer = L.geoJSON({ type: "FeatureCollection", features }, {
      style: (f) => ({ color: colours[f.properties.minutes] || "#555", weight: 1.5, fillOpacity: 0.25 }),
      onEachFeature: (f, l) => l.bindTooltip(`${f.properties.minutes} min: ${f.properties.nodes_reached} road nodes reached`),
    }).addTo(map);
    if (features.length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
    const legend = L.control({ position: "bottomright" });
    legend.onAdd = () => {
      const d = L.DomUtil.create("div", "legend");
      for (const f of g.features) {
        const i = document.createElement("i");
        i.style.background = colours[f.properties.minutes] || "#555";
        d.append(i, `${f.properties.minutes} min`, document.createElement("br"));
      }
      return d;
    };
    legend.addTo(map);
    const tol = g.features.length ? g.features[0].properties.tolerance_m : 0;
    note.textContent = `${g.features.map((f) => f.properties.minutes).join(", ")} minutes by road on ${b.network} from the site (outlines within ${Math.round(tol)} m of a place reached in time).`;
    b.catchments = String(g.features.length);
  } catch (e) {
    note.textContent = `The catchments could not be computed: ${e.message}`;
    b.catchments = "error";
  }
})();
