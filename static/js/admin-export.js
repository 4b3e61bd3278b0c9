// django-import-export's export page: its "全选" box has a label whose for= names no element (the box has no
// id), so the label is not the box's name for a screen reader. Give the box the id the label names.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector('input[name="select-all-toggle"]');
  if (box && !box.id) {
    box.id = "select-all-toggle";
  }
});
