// The page of an indicator or a measure: after an entry sent by HTMX, the part of the page that
// was swapped holds the confirmation next to the form; focus moves to it (it is also a
// role="status" region), so that a keyboard or screen reader user is told, and sees, where they are.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.body.addEventListener("htmx:afterSettle", function (event) {
      var target = event.target;
      if (!target || !target.querySelector) { return; }
      var notice = target.querySelector("[data-autofocus]");
      if (!notice) {
        // a form sent back with its errors or a value to confirm: focus what it says
        notice = target.querySelector("#valeur-a-confirmer, .form-errors");
        if (notice && !notice.hasAttribute("tabindex")) { notice.setAttribute("tabindex", "-1"); }
      }
      if (notice) {
        notice.focus({preventScroll: true});
        notice.scrollIntoView({block: "nearest"});
      }
    });
  });
})();
