// The dashboard's charts (Chart.js, vendored) and live figures: polls /desk/data/figures.json every few seconds.
(function () {
  "use strict";
  const POLL_MS = 3000;
  const L = JSON.parse(document.getElementById("labels").textContent);
  const t = (k) => L[k] || k;
  const STAGES = ["intake", "repair", "dispatch"];
  const AGING = ["0-7", "8-30", "31-90", "90+"];
  const STATUS = ["ok", "at_risk", "breached"];
  const COLOURS = { ok: "#2e7d32", at_risk: "#f0a500", breached: "#c62828" };
  const PALETTE = ["#0b5fa5", "#4f9bd9", "#9cc7ee", "#f0a500", "#c62828", "#2e7d32", "#7b4fa5"];
  const MOVES = ["received", "exported", "released", "destroyed", "on_hand"];
  const charts = {};

  // the page's language (html lang), as the server formats with Babel: grouping, decimals, percent
  const LOCALE = document.documentElement.lang || "en";
  const NUM = new Intl.NumberFormat(LOCALE);
  const PCT = new Intl.NumberFormat(LOCALE, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const pct = (x) => (x === null || x === undefined ? "–" : PCT.format(x));
  const num = (x) => (x === null || x === undefined ? "–" : NUM.format(x));

  function tiles(f) {
    return {
      backlog_total: num(STAGES.reduce((s, k) => s + (f.backlog_by_stage[k] || 0), 0)),
      due_to_ship: num(f.due_to_ship), shipped: num(f.shipped),
      turnaround_median: num(f.turnaround_hours.median), turnaround_p90: num(f.turnaround_hours.p90),
      first_pass_yield: pct(f.first_pass_yield), beyond_repair_rate: pct(f.beyond_repair_rate),
      bond_at_risk: num(f.deadlines.bond.at_risk), bond_breached: num(f.deadlines.bond.breached),
      disposal_at_risk: num(f.deadlines.disposal.at_risk), disposal_breached: num(f.deadlines.disposal.breached),
    };
  }

  function specs(f) {
    const owners = Object.keys(f.backlog_by_owner);
    const cats = Object.keys(f.ledger);
    return {
      stage: { type: "bar", labels: STAGES.map(t), sets: [{ label: t("backlog"), data: STAGES.map((s) => f.backlog_by_stage[s]) }] },
      owner: { type: "bar", stacked: true, horizontal: true, labels: owners.map((o) => (f.owner_names || {})[o] || o),
               sets: STAGES.map((s) => ({ label: t(s), data: owners.map((o) => f.backlog_by_owner[o][s]) })) },
      aging: { type: "bar", stacked: true, labels: STAGES.map(t),
               sets: AGING.map((b) => ({ label: b + " " + t("days"), data: STAGES.map((s) => f.aging[s][b]) })) },
      turnaround: { type: "bar", fractional: true, labels: [t("median"), t("p90")],
                    sets: [{ label: t("hours"), data: [f.turnaround_hours.median, f.turnaround_hours.p90] }] },
      rates: { type: "bar", fractional: true, labels: [t("first_pass_yield"), t("beyond_repair_rate")], max: 100,
               sets: [{ label: "%", data: [f.first_pass_yield, f.beyond_repair_rate].map((x) => (x === null ? 0 : +(x * 100).toFixed(1))) }] },
      split: { type: "doughnut", labels: ["domestic", "overseas", "bonded"].map(t),
               sets: [{ data: ["domestic", "overseas", "bonded"].map((k) => f.destinations[k]) }] },
      origins: { type: "doughnut", labels: ["domestic", "foreign"].map(t),
                 sets: [{ data: ["domestic", "foreign"].map((k) => f.origins[k]) }] },
      ledger: { type: "bar", labels: cats.map(t),
                sets: MOVES.map((m) => ({ label: t(m), data: cats.map((c) => f.ledger[c][m]) })) },
      deadlines: { type: "bar", stacked: true, horizontal: true, labels: [t("days_in_bond"), t("disposal")],
                   sets: STATUS.map((s) => ({ label: t(s), backgroundColor: COLOURS[s],
                                              data: [f.deadlines.bond[s], f.deadlines.disposal[s]] })) },
    };
  }

  function colour(set, i, doughnut) {
    if (set.backgroundColor) return set;
    return Object.assign({}, set, { backgroundColor: doughnut ? PALETTE : PALETTE[i % PALETTE.length] });
  }

  function draw(name, spec) {
    const doughnut = spec.type === "doughnut";
    const datasets = spec.sets.map((s, i) => colour(s, i, doughnut));
    if (charts[name]) {
      const c = charts[name];
      c.data.labels = spec.labels;
      datasets.forEach((d, i) => { if (c.data.datasets[i]) c.data.datasets[i].data = d.data; else c.data.datasets.push(d); });
      c.update("none");
      return;
    }
    // counts are whole numbers: no 0.5 units on an axis (hours and percentages may have fractions)
    const ticks = spec.fractional ? {} : { precision: 0 };
    const scales = doughnut ? {} : {
      x: { stacked: !!spec.stacked, beginAtZero: true, ticks },
      y: { stacked: !!spec.stacked, beginAtZero: true, max: spec.max, ticks },
    };
    charts[name] = new Chart(document.getElementById("chart-" + name), {
      type: spec.type, data: { labels: spec.labels, datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false, indexAxis: spec.horizontal ? "y" : "x",
                 plugins: { legend: { display: datasets.length > 1 || doughnut, position: "bottom" } }, scales },
    });
  }

  function render(f) {
    const values = tiles(f);
    document.querySelectorAll("[data-kpi]").forEach((el) => {
      const v = values[el.dataset.kpi];
      if (v !== undefined && el.textContent !== v) el.textContent = v;
    });
    const all = specs(f);
    Object.keys(all).forEach((name) => draw(name, all[name]));
    window.deskFigures = f;
  }

  async function poll() {
    const live = document.getElementById("live");
    try {
      const r = await fetch("/desk/data/figures.json", { credentials: "same-origin", cache: "no-store" });
      if (r.status === 401 || r.redirected) { window.location = "/desk/login"; return; }
      if (r.ok) { render(await r.json()); live.classList.remove("stale"); }
    } catch (e) {
      live.classList.add("stale");
    }
    setTimeout(poll, POLL_MS);
  }

  document.addEventListener("DOMContentLoaded", () => {
    render(JSON.parse(document.getElementById("figures").textContent));
    setTimeout(poll, POLL_MS);
  });
})();
