// The batch tables' "all" checkbox: ticks or clears every item of its table.
document.addEventListener("change", (e) => {
  const all = e.target.closest("input[data-all]");
  if (!all) return;
  document.querySelectorAll(`#${all.dataset.all} input[name=item_ids]`).forEach((box) => { box.checked = all.checked; });
});
