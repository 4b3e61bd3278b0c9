// Progressive enhancement for the case list: apply a filter or a sort as soon
// as it changes, and keep shared URLs short by leaving out empty fields.
(function () {
  var form = document.querySelector("form[data-auto-submit]");
  if (!form) return;
  document.documentElement.classList.add("js");
  function submit() {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && field.value === "") field.disabled = true;
    });
    form.submit();
  }
  form.addEventListener("change", function (event) {
    // The "加入比较" boxes sit in the list but belong to the comparison's own form.
    if (event.target.form !== form) return;
    if (event.target.matches("input[type=checkbox], select")) submit();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submit();
  });
})();
