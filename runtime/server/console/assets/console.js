// Live parts of the console: new runs appear in the runs table, and the health page refreshes.
// Progressive enhancement only: every page works without this script (reload shows the same).
(() => {
  const poll = (fn, ms) => {
    let stopped = false;
    const tick = async () => {
      if (stopped) return;
      try {
        await fn();
      } catch {
        /* a missed refresh is retried on the next tick */
      }
      setTimeout(tick, ms);
    };
    setTimeout(tick, ms);
    return () => {
      stopped = true;
    };
  };

  // Destructive buttons ask first (inline handlers are not allowed by the console's CSP).
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }

  const runs = document.getElementById("runs-table");
  if (runs) {
    let newest = runs.dataset.newest || "";
    const status = document.getElementById("live-status");
    poll(async () => {
      const url = `${runs.dataset.feed}&after=${encodeURIComponent(newest)}`;
      const res = await fetch(url, { headers: { accept: "application/json" }, credentials: "same-origin" });
      if (!res.ok) return;
      const feed = await res.json();
      if (!feed.rows.length) return;
      newest = feed.newest;
      const body = runs.tBodies[0];
      const template = document.createElement("template");
      template.innerHTML = feed.rows.join("");
      const rows = [...template.content.querySelectorAll("tr")];
      for (const row of rows.reverse()) {
        if (body.querySelector(`tr[data-run="${row.dataset.run}"]`)) continue;
        row.classList.add("fresh");
        body.insertBefore(row, body.firstChild);
      }
      document.getElementById("no-runs")?.remove();
      if (status) status.textContent = `${rows.length} new run(s) at ${new Date().toLocaleTimeString()}.`;
    }, 1500);
  }

  const health = document.getElementById("health");
  if (health) {
    const status = document.getElementById("health-status");
    poll(async () => {
      const res = await fetch(health.dataset.feed, {
        headers: { accept: "application/json" },
        credentials: "same-origin",
      });
      if (!res.ok) return;
      health.innerHTML = (await res.json()).html;
      if (status) status.textContent = `Refreshed at ${new Date().toLocaleTimeString()}.`;
    }, 3000);
  }
})();
