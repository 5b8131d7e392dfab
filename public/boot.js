// Runs before the first paint (a classic script in <head>). The build wrote a new visitor's
// dashboard into this page (xtask/prerender.mjs), painted while the app's code arrives; on
// another page, or for a register other than the one kept on this device alone (an
// organisation's, the demo's), only its header and navigation are right, so only those show.
(() => {
  let elsewhere = location.pathname !== "/";
  try {
    const database = localStorage.getItem("ratchet.database");
    elsewhere ||= database !== null && database !== "ratchet-local";
  } catch {
    elsewhere = true;
  }
  if (elsewhere) document.documentElement.classList.add("elsewhere");
})();
