/* The map embed (milidip.embeds.maps): Natural Earth's countries and the records' points, drawn
   from the same-origin GeoJSON. All points are one SVG path, so thousands draw at once; the
   nearest point to the pointer is named (hover) or opened (click). */
(function () {
  "use strict";
  var figure = document.getElementById("map");
  if (!figure || !window.d3 || !window.topojson) return;
  var status = figure.querySelector(".map-status");
  var tip = document.getElementById("map-tip");
  var width = 960, height = 500, svgNS = "http://www.w3.org/2000/svg";

  function element(name, attributes, parent) {
    var node = document.createElementNS(svgNS, name);
    Object.keys(attributes).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function json(url) {
    return fetch(url, { credentials: "omit" }).then(function (response) {
      if (!response.ok) throw new Error(url + ": " + response.status);
      return response.json();
    });
  }

  var started = performance.now();
  Promise.all([json(figure.dataset.world), json(figure.dataset.url)]).then(function (loaded) {
    var world = loaded[0], data = loaded[1];
    var projection = d3.geoNaturalEarth1().fitSize([width, height], { type: "Sphere" });
    var path = d3.geoPath(projection).pointRadius(2.5);
    var svg = element("svg", { viewBox: "0 0 " + width + " " + height, role: "img",
      "aria-label": data.features.length + " records on a world map" });
    element("path", { "class": "sphere", d: path({ type: "Sphere" }) }, svg);
    element("path", { "class": "land", d: path(topojson.feature(world, world.objects.countries)) }, svg);
    var placed = [];
    data.features.forEach(function (feature) {
      var xy = projection(feature.geometry.coordinates);
      if (xy) placed.push({ x: xy[0], y: xy[1], feature: feature });
    });
    var points = element("path", { "class": "points", d: path(data) || "" }, svg);
    points.setAttribute("data-drawn", String(placed.length));
    svg.setAttribute("data-drawn", String(placed.length));
    var hit = element("circle", { "class": "hit", r: 5, visibility: "hidden" }, svg);
    figure.insertBefore(svg, status);

    function nearest(event) {
      var box = svg.getBoundingClientRect();
      var x = (event.clientX - box.left) * width / box.width;
      var y = (event.clientY - box.top) * height / box.height;
      var best = null, bestDistance = 64;  // within 8 units
      for (var i = 0; i < placed.length; i++) {
        var dx = placed[i].x - x, dy = placed[i].y - y, d = dx * dx + dy * dy;
        if (d < bestDistance) { best = placed[i]; bestDistance = d; }
      }
      return best;
    }
    svg.addEventListener("mousemove", function (event) {
      var found = nearest(event);
      if (!found) { hit.setAttribute("visibility", "hidden"); tip.hidden = true; return; }
      var p = found.feature.properties;
      hit.setAttribute("cx", found.x); hit.setAttribute("cy", found.y);
      hit.setAttribute("visibility", "visible");
      tip.hidden = false;
      tip.textContent = p.name + (p.location ? " (" + p.location + ")" : "") +
        (p.start ? ", " + p.start + (p.end && p.end !== p.start ? " to " + p.end : "") : "");
    });
    svg.addEventListener("click", function (event) {
      var found = nearest(event);
      if (found) window.open(found.feature.properties.html_url, "_blank", "noopener");
    });
    status.textContent = placed.length + " placed" + (data.unlocated ?
      "; " + data.unlocated + " without coordinates not shown" : "") + ". Hover to name, click to open.";
    figure.setAttribute("data-render-ms", String(Math.round(performance.now() - started)));
    figure.classList.add("drawn");
  }).catch(function (error) {
    status.textContent = "The map could not be drawn (" + error.message + ").";
  });
})();
