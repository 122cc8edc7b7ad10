// Starts Redoc on /redoc. A file of its own: the page's policy forbids inline script.
"use strict";
(function () {
  var root = document.getElementById("redoc");
  Redoc.init(root.getAttribute("data-openapi"), { hideDownloadButton: false }, root);
})();
