// cpog — behaviour shared by every page. No inline script: the CSP forbids it.
(function () {
  "use strict";

  // Draw every Vega-Lite chart whose spec sits in a <script type="application/json"> block.
  function drawCharts(root) {
    if (typeof vegaEmbed === "undefined") { return; }
    root.querySelectorAll("[data-chart]").forEach(function (holder) {
      if (holder.dataset.drawn) { return; }
      var source = document.getElementById(holder.dataset.chart);
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      vegaEmbed(holder, spec, {
        actions: false,
        renderer: "svg",
        // vega-embed and vega-tooltip would inject <style> elements, which the CSP forbids: their
        // few rules live in cpog.css instead.
        defaultStyle: false,
        tooltip: {disableDefaultStyle: true},
        ast: true,  // evaluate expressions without eval(): the CSP has no unsafe-eval
        expr: vegaInterpreter.expressionInterpreter,
        formatLocale: {decimal: ",", thousands: "\u202f", grouping: [3], currency: ["", "\u00a0€"]},
        timeFormatLocale: {
          dateTime: "%A %e %B %Y à %X", date: "%d/%m/%Y", time: "%H:%M:%S",
          periods: ["AM", "PM"],
          days: ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
          shortDays: ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
          months: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                   "septembre", "octobre", "novembre", "décembre"],
          shortMonths: ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
                        "sept.", "oct.", "nov.", "déc."]
        }
      }).then(function () {
        holder.dataset.drawn = "1";
        holder.setAttribute("data-chart-ready", "1");
      }).catch(function (error) {
        holder.textContent = "Graphique indisponible : " + error.message;
      });
    });
  }

  // A token shown once (« Mes jetons d'accès »): focus its heading, select it on focus, and offer
  // a copy button where the clipboard API is available (the button stays hidden otherwise).
  function tokenHelpers(root) {
    var heading = root.querySelector("[data-autofocus]");
    if (heading) { heading.focus(); }
    root.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
      input.addEventListener("focus", function () { input.select(); });
    });
    if (!navigator.clipboard) { return; }
    root.querySelectorAll("[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.dataset.copy);
      var status = root.querySelector("[data-copy-status]");
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.value).then(function () {
          if (status) { status.textContent = "Jeton copié dans le presse-papiers."; }
        }, function () {
          if (status) { status.textContent = "Copie impossible : sélectionnez le jeton et copiez-le (Ctrl+C)."; }
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); tokenHelpers(document); });
  document.body && document.body.addEventListener("htmx:afterSettle", function (event) {
    drawCharts(event.target);
  });
})();
