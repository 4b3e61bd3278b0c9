// Progressive enhancement for the case list: apply a filter or a sort as soon as it changes.
(function () {
  var form = document.querySelector("form[data-auto-submit]");
  if (!form) return;
  document.documentElement.classList.add("js");
  form.addEventListener("change", function (event) {
    if (event.target.matches("input[type=checkbox], select")) form.submit();
  });
})();
