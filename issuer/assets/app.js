// Học bạ số — the pages' only script (served from this origin; every page works without it).
// 1. A form with data-once: its submit button is disabled after the first click, so a double
//    click sends one request (the server refuses a second signing anyway).
// 2. A file input inside .dropzone: a file dropped on the zone is put into the input.
// 3. An element with data-progress="URL": polls the URL (JSON {percent, done, label}) every
//    second and updates the <progress> inside; on done, follows data-done-href if given.
(function () {
  "use strict";
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });
  document.querySelectorAll(".dropzone").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    if (!input) { return; }
    zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      zone.classList.remove("over");
      if (e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; }
    });
  });
  document.querySelectorAll("[data-progress]").forEach(function (box) {
    var bar = box.querySelector("progress");
    var label = box.querySelector("[data-progress-label]");
    function tick() {
      var req = new XMLHttpRequest();
      req.open("GET", box.getAttribute("data-progress"));
      req.setRequestHeader("Accept", "application/json");
      req.onload = function () {
        if (req.status !== 200) { setTimeout(tick, 2000); return; }
        var s = JSON.parse(req.responseText);
        if (bar) { bar.value = s.percent; }
        if (label && s.label) { label.textContent = s.label; }
        if (s.done) {
          var next = box.getAttribute("data-done-href");
          if (next) { window.location.assign(next); }
        } else { setTimeout(tick, 1000); }
      };
      req.onerror = function () { setTimeout(tick, 2000); };
      req.send();
    }
    tick();
  });
}());
