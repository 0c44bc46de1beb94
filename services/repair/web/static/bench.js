// The bench for a keyboard and a scanner: "/" (or Alt+S) goes to the scan box from anywhere but a text field; a
// scanner types the code and Enter, which submits the box. Escape leaves a field for the page.
document.addEventListener("keydown", (e) => {
  const scan = document.getElementById("scan");
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement?.tagName);
  if (scan && e.key === "/" && !typing) {
    e.preventDefault();
    scan.focus();
    scan.select();
  } else if (e.key === "Escape" && typing) {
    document.activeElement.blur();
  }
});
