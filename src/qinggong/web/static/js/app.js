/* qinggong dashboard: fetches /api/v1 with the session cookie and draws with the vendored ECharts. */
(function () {
  "use strict";
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const CSRF = csrfMeta ? csrfMeta.content : "";
  const PALETTE = ["#1f5fa8", "#b3261e", "#188038", "#f29900", "#7b1fa2", "#00838f", "#5d4037", "#c2185b"];

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else node.setAttribute(k, v);
    });
    (children || []).forEach((c) => node.appendChild(typeof c === "string" ? document.createTextNode(c) : c));
    return node;
  }

  async function api(path, options) {
    const opts = Object.assign({ credentials: "same-origin", headers: {} }, options || {});
    if (opts.method && opts.method !== "GET") opts.headers["X-CSRF-Token"] = CSRF;
    if (opts.json !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(opts.json);
      delete opts.json;
    }
    const response = await fetch(path, opts);
    if (response.status === 401) { window.location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search); return null; }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const message = (body.error && body.error.message) || ("请求失败（" + response.status + "）");
      const error = new Error(message); error.body = body; error.status = response.status; throw error;
    }
    return body;
  }

  function fmt(value, digits) {
    if (value === null || value === undefined) return "—";
    const d = digits === undefined ? (Math.abs(value) >= 1000 ? 0 : 1) : digits;
    return Number(value).toLocaleString("zh-CN", { minimumFractionDigits: d, maximumFractionDigits: d });
  }

  function showError(container, error) {
    container.appendChild(el("p", { class: "error", role: "alert", text: error.message || String(error) }));
  }

  const charts = [];
  function chart(node, option) {
    const instance = echarts.init(node, null, { renderer: "canvas" });
    instance.setOption(Object.assign({ color: PALETTE, textStyle: { fontFamily: "QG Sans SC, Noto Sans CJK SC, sans-serif" } }, option));
    charts.push(instance);
    return instance;
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));

  function lineOption(lines, unit) {
    const periods = Array.from(new Set(lines.flatMap((l) => l.points.map((p) => p[0])))).sort();
    return {
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 60 },
      xAxis: { type: "category", data: periods },
      yAxis: { type: "value", name: unit || "", scale: true },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 8 }],
      series: lines.map((l) => {
        const map = new Map(l.points);
        return { name: l.name, type: "line", showSymbol: false, connectNulls: false, data: periods.map((p) => (map.has(p) ? map.get(p) : null)) };
      }),
    };
  }

  function listInto(node, block, render) {
    node.textContent = "";
    if (!block || !block.available) {
      node.appendChild(el("p", { class: "notice", "data-testid": "module-missing", text: (block && block.message) || "暂无" }));
      return;
    }
    if (!block.items.length) { node.appendChild(el("p", { class: "muted", text: "暂无" })); return; }
    block.items.forEach((item) => node.appendChild(render(item)));
  }

  const LIGHT_COLORS = { "红": "#d93025", "黄": "#f29900", "绿": "#188038", "浅蓝": "#8ab4f8", "蓝": "#1a73e8", red: "#d93025", "过热": "#d93025", yellow: "#f29900", "趋热": "#f29900", green: "#188038", "正常": "#188038", lightblue: "#8ab4f8", "趋冷": "#8ab4f8", blue: "#1a73e8", "过冷": "#1a73e8" };

  // ------------------------------------------------------------------ pages
  const pages = {};

  pages.overview = async function () {
    const grid = document.getElementById("headlines");
    let data;
    try { data = await api("/api/v1/overview"); } catch (e) { showError(grid, e); return; }
    if (!data) return;
    document.getElementById("ov-region").textContent = data.region_name || "";
    document.getElementById("ov-period").textContent = data.latest_period ? "最新数据期：" + data.latest_period : "";
    if (!data.headlines.length) document.getElementById("ov-empty").classList.remove("hidden");
    data.headlines.forEach((h) => {
      const spark = el("div", { class: "spark" });
      const change = h.change === null ? "" : (h.change >= 0 ? "▲ " : "▼ ") + fmt(Math.abs(h.change), 1);
      const card = el("a", { class: "card kpi", href: "/data/series?key=" + encodeURIComponent(h.series_key), "data-testid": "kpi-" + h.indicator, style: "text-decoration:none;color:inherit" }, [
        el("div", { class: "label", text: h.indicator_name + " · " + h.industry_name + " · " + h.measure_label }),
        el("div", {}, [el("span", { class: "value", text: fmt(h.value) }), el("span", { class: "unit", text: " " + (h.unit_name || "") })]),
        el("div", { class: "muted", text: h.period_label + (change ? "　较上期 " + change : "") }),
        spark,
      ]);
      grid.appendChild(card);
      chart(spark, {
        grid: { left: 2, right: 2, top: 6, bottom: 2 },
        xAxis: { type: "category", show: false, data: h.history.map((p) => p.period) },
        yAxis: { type: "value", show: false, scale: true },
        tooltip: { trigger: "axis" },
        series: [{ type: "line", showSymbol: false, areaStyle: { opacity: 0.15 }, data: h.history.map((p) => p.value) }],
      });
    });
    const parts = {
      signals: ["ov-signals", (s) => el("div", { class: "item", "data-testid": "signal" }, [el("span", { class: "light", style: "background:" + (LIGHT_COLORS[s.light] || "#999") }), (s.name || "") + "：" + (s.light || "") + (s.index !== null && s.index !== undefined ? "（指数 " + fmt(s.index, 1) + "）" : "")])],
      alerts: ["ov-alerts", (a) => el("div", { class: "item" }, [el("a", { href: "/alerts", text: "【" + (a.level || "") + "·" + (a.status || "") + "】" + (a.title || "") })])],
      targets: ["ov-targets", (t) => el("div", { class: "item", text: (t.name || t.target_id || "") + "：" + fmt(t.value, 0) + " / " + fmt(t.target, 0) + (t.unit || "") + (t.status ? "（" + t.status + "）" : "") })],
    };
    // the monitoring parts can take a while on first use; they fill in when ready
    Object.entries(parts).forEach(([part, [id, render]]) => {
      const node = document.getElementById(id);
      node.textContent = "正在计算……";
      api("/api/v1/overview/" + part).then((block) => { if (block) listInto(node, block, render); node.dataset.loaded = "1"; })
        .catch((e) => { node.textContent = ""; showError(node, e); });
    });
  };

  pages.sector = async function () {
    const root = document.getElementById("sector");
    const code = root.dataset.code;
    const select = document.querySelector("select[data-autosubmit]");
    if (select) select.addEventListener("change", () => select.form.submit());
    if (!code) return;
    let data;
    try { data = await api("/api/v1/sectors/" + encodeURIComponent(code)); } catch (e) { showError(root, e); return; }
    if (!data) return;
    if (!data.indicators.length) root.appendChild(el("p", { class: "notice", text: "该行业在当前数据范围内没有可显示的序列。" }));
    data.indicators.forEach((ind) => {
      const card = el("section", { class: "card" }, [el("h2", { text: ind.indicator_name })]);
      root.appendChild(card);
      const cols = el("div", { class: "cols" });
      card.appendChild(cols);
      ind.charts.forEach((c) => {
        const box = el("div", { class: "chart" });
        cols.appendChild(el("div", {}, [el("h3", { class: "muted", text: c.title }), box]));
        chart(box, lineOption(c.lines, c.lines[0].unit_name));
      });
    });
    const sig = document.getElementById("sector-signals");
    if (!data.signals.available || !data.signals.items.length) {
      sig.appendChild(el("p", { class: data.signals.available ? "muted" : "notice", text: data.signals.message || "该行业没有可计算信号灯的序列。" }));
    } else {
      const names = data.signals.items.map((s) => s.name);
      const periods = Array.from(new Set(data.signals.items.flatMap((s) => s.points.map((p) => p[0])))).sort();
      const box = el("div", { class: "chart", style: "height:" + (90 + 36 * names.length) + "px" });
      sig.appendChild(box);
      chart(box, {
        tooltip: { formatter: (p) => periods[p.value[0]] + " " + names[p.value[1]] + "：" + p.value[2] },
        grid: { left: 120, right: 10, top: 10, bottom: 40 },
        xAxis: { type: "category", data: periods }, yAxis: { type: "category", data: names },
        series: [{ type: "scatter", symbol: "circle", symbolSize: 14,
          data: data.signals.items.flatMap((s, i) => s.points.map((p) => ({ value: [periods.indexOf(p[0]), i, p[1]], itemStyle: { color: LIGHT_COLORS[p[1]] || "#999" } }))) }],
      });
    }
    listInto(document.getElementById("sector-alerts"), data.alerts, (a) =>
      el("div", { class: "item" }, [el("span", { class: "light", style: "background:" + (LIGHT_COLORS[a.light] || "#999") }), el("a", { href: "/alerts", text: "【" + a.level + "·" + a.status + "】" + a.title })]));
    const prov = document.getElementById("sector-provinces");
    if (!data.provinces.length) { prov.appendChild(el("p", { class: "muted", text: "没有该行业的分省数据。" })); return; }
    const rows = data.provinces.slice().sort((a, b) => (a.indicator + a.measure).localeCompare(b.indicator + b.measure) || (b.value || 0) - (a.value || 0));
    const table = el("table", { class: "table" }, [el("thead", {}, [el("tr", {}, ["地区", "序列", "期别", "数值"].map((t) => el("th", { text: t })))])]);
    const body = el("tbody");
    rows.forEach((r) => body.appendChild(el("tr", {}, [el("td", { text: r.region_name }), el("td", {}, [el("a", { href: "/data/series?key=" + encodeURIComponent(r.series_key), text: r.label })]), el("td", { text: r.period }), el("td", { class: "num", text: fmt(r.value) })])));
    table.appendChild(body);
    prov.appendChild(el("div", { class: "table-wrap" }, [table]));
  };

  pages.region = async function () {
    const select = document.getElementById("region-choice");
    const box = document.getElementById("region-chart");
    const download = document.getElementById("region-download");
    let instance = null;
    async function load(query) {
      let data;
      try { data = await api("/api/v1/regions" + (query ? "?" + query : "")); } catch (e) { showError(box, e); return; }
      if (!data) return;
      if (!select.options.length) {
        data.choices.forEach((c) => {
          const q = new URLSearchParams({ indicator: c.indicator, industry: c.industry, product: c.product, measure: c.measure }).toString();
          select.appendChild(el("option", { value: q, text: c.label + "（" + c.provinces + " 个省）" }));
        });
      }
      if (!data.selected) { box.textContent = ""; box.appendChild(el("p", { class: "notice", text: "当前数据范围内没有分省数据。" })); return; }
      const q = new URLSearchParams({ indicator: data.selected.indicator, industry: data.selected.industry, product: data.selected.product, measure: data.selected.measure }).toString();
      select.value = q;
      download.href = "/api/v1/regions?" + q + "&format=csv";
      document.getElementById("region-period").textContent = (data.period_label || "") + " · " + data.selected.label + (data.unit_name ? "（" + data.unit_name + "）" : "");
      const rows = data.ranking.slice().reverse();
      const option = {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 90, right: 40, top: 10, bottom: 30 },
        xAxis: { type: "value", name: data.unit_name || "" },
        yAxis: { type: "category", data: rows.map((r) => r.region_name) },
        series: [{ type: "bar", data: rows.map((r) => r.value), label: { show: true, position: "right", formatter: (p) => fmt(p.value) } }],
      };
      if (instance) instance.setOption(option, true); else instance = chart(box, option);
    }
    select.addEventListener("change", () => load(select.value));
    await load("");
  };

  pages.data = async function () {
    const form = document.getElementById("series-form");
    const tbody = document.querySelector("#series-table tbody");
    let page = 1; const size = 50; let total = 0;
    function query(extra) {
      const params = new URLSearchParams();
      new FormData(form).forEach((v, k) => { if (String(v).trim()) params.set(k, String(v).trim()); });
      Object.entries(extra || {}).forEach(([k, v]) => params.set(k, v));
      return params.toString();
    }
    async function load() {
      tbody.textContent = "";
      let data;
      try { data = await api("/api/v1/series?" + query({ page: page, page_size: size })); } catch (e) { showError(tbody.parentNode.parentNode, e); return; }
      if (!data) return;
      total = data.total;
      document.getElementById("series-count").textContent = "共 " + total + " 条序列";
      document.getElementById("pageinfo").textContent = "第 " + page + " / " + Math.max(1, Math.ceil(total / size)) + " 页";
      document.getElementById("series-download").href = "/api/v1/series?" + query({ format: "csv" });
      document.getElementById("series-download-xlsx").href = "/api/v1/series?" + query({ format: "xlsx" });
      data.items.forEach((s) => tbody.appendChild(el("tr", {}, [
        el("td", {}, [el("a", { href: "/data/series?key=" + encodeURIComponent(s.series_key), text: s.label })]),
        el("td", {}, [el("code", { text: s.series_key })]),
        el("td", { text: s.first_period || "" }), el("td", { text: s.last_period || "" }), el("td", { class: "num", text: String(s.periods) }),
      ])));
    }
    form.addEventListener("submit", (e) => { e.preventDefault(); page = 1; load(); });
    document.getElementById("prev").addEventListener("click", () => { if (page > 1) { page--; load(); } });
    document.getElementById("next").addEventListener("click", () => { if (page * size < total) { page++; load(); } });
    await load();
  };

  pages.series = async function () {
    const box = document.getElementById("series-chart");
    const key = box.dataset.key;
    const form = document.getElementById("asof-form");
    let instance = null;
    async function load(asOf) {
      let data;
      try { data = await api("/api/v1/series/" + encodeURIComponent(key) + (asOf ? "?as_of=" + encodeURIComponent(asOf) : "")); } catch (e) { showError(box, e); return; }
      if (!data) return;
      const option = lineOption([{ name: data.measure_label + (asOf ? "（截至 " + asOf + "）" : ""), points: data.observations.map((o) => [o.period, o.value]) }], data.unit_name);
      if (instance) instance.setOption(option, true); else instance = chart(box, option);
      const tbody = document.querySelector("#obs-table tbody");
      tbody.textContent = "";
      data.observations.slice().reverse().forEach((o) => tbody.appendChild(el("tr", {}, [
        el("td", { text: o.period_label }), el("td", { class: "num", text: fmt(o.value, 2) }), el("td", { text: o.status_label + (o.note ? "：" + o.note : "") }), el("td", { text: String(o.vintage_id) }),
      ])));
    }
    form.addEventListener("submit", (e) => { e.preventDefault(); load(new FormData(form).get("as_of")); });
    await load("");
    try {
      const history = await api("/api/v1/series/" + encodeURIComponent(key) + "/history");
      const tbody = document.querySelector("#vintage-table tbody");
      history.vintages.slice().reverse().forEach((v) => tbody.appendChild(el("tr", {}, [
        el("td", { text: String(v.vintage_id) }), el("td", { text: (v.vintage_at || "").replace("T", " ").slice(0, 19) }), el("td", { text: v.source || "" }), el("td", { class: "num", text: String(v.observations) }),
      ])));
    } catch (e) { showError(document.getElementById("vintage-table").parentNode, e); }
  };

  pages.alerts = async function () {
    const form = document.getElementById("alert-form");
    const list = document.getElementById("alert-list");
    const canUpdate = list.dataset.canUpdate === "1";
    const actions = [["acknowledge", "知悉", ["新"]], ["dispose", "处置", ["新", "已知悉"]], ["resolve", "解除", ["新", "已知悉", "已处置"]]];
    function query(extra) {
      const params = new URLSearchParams();
      new FormData(form).forEach((v, k) => { if (String(v).trim()) params.set(k, String(v).trim()); });
      Object.entries(extra || {}).forEach(([k, v]) => params.set(k, v));
      return params.toString();
    }
    async function load() {
      list.textContent = "";
      let data;
      try { data = await api("/api/v1/alerts?" + query({ page_size: 500 })); } catch (e) { showError(list, e); return; }
      if (!data) return;
      document.getElementById("alert-count").textContent = "共 " + data.total + " 条预警";
      document.getElementById("alert-download").href = "/api/v1/alerts?" + query({ format: "csv" });
      if (!data.items.length) list.appendChild(el("p", { class: "muted", text: "没有符合条件的预警。" }));
      data.items.forEach((a) => {
        const card = el("section", { class: "card alert", "data-alert-id": String(a.alert_id), "data-status": a.status }, [
          el("h2", {}, [el("span", { class: "light", style: "background:" + (LIGHT_COLORS[a.light] || "#999") }), a.region_name + " " + a.industry_name + " · " + a.severity]),
          el("p", { text: a.message }),
          el("p", { class: "muted", text: "状态：" + a.status + "　期别：" + a.first_period + " 至 " + a.last_period + "　连续 " + a.streak + " 期　规则 " + a.rule_id }),
        ]);
        if (canUpdate && a.status !== "已解除") {
          const comment = el("input", { name: "comment", placeholder: "处理意见", size: "30" });
          const bar = el("div", { class: "filters" }, [comment]);
          actions.forEach(([action, label, from]) => {
            if (!from.includes(a.status)) return;
            const button = el("button", { type: "button", "data-action": action, text: label });
            button.addEventListener("click", async () => {
              try { await api("/api/v1/alerts/" + a.alert_id + "/" + action, { method: "POST", json: { comment: comment.value || null } }); load(); }
              catch (e) { showError(card, e); }
            });
            bar.appendChild(button);
          });
          card.appendChild(bar);
        }
        list.appendChild(card);
      });
    }
    form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
    await load();
  };

  pages.enterprise = async function () {
    const root = document.getElementById("enterprise");
    const code = root.dataset.creditCode;
    if (!code) return;
    const form = document.getElementById("report-form");
    const result = document.getElementById("report-result");
    const q = "credit_code=" + encodeURIComponent(code);
    const productBody = document.querySelector("#product-table tbody");
    const productMsg = document.getElementById("product-msg");
    const productUnits = {};
    function addProduct(product, unit) {
      const cell = (name, value, attrs) => el("td", {}, [el("input", Object.assign({ name: name, value: value || "", "aria-label": name }, attrs || {}))]);
      const row = el("tr", { class: "product-row" }, [
        cell("product", product, { list: "product-list", size: "14" }), cell("unit", unit, { size: "6" }),
        cell("output_m", "", { inputmode: "decimal", size: "8" }), cell("output_ytd", "", { inputmode: "decimal", size: "8" }),
        el("td", {}, [el("button", { type: "button", class: "secondary", text: "删除" })]),
      ]);
      row.querySelector("button").addEventListener("click", () => { row.remove(); form.dispatchEvent(new Event("input")); });
      const name = row.querySelector('input[name="product"]');
      name.addEventListener("change", () => {
        const unitInput = row.querySelector('input[name="unit"]');
        if (!unitInput.value && productUnits[name.value]) unitInput.value = productUnits[name.value];
      });
      productBody.appendChild(row);
    }
    try {
      const info = await api("/api/v1/enterprise/form?" + q);
      document.getElementById("ent-name").textContent = (info.enterprise.name || "") + "（" + code + "）";
      const list = document.getElementById("product-list");
      (info.products || []).forEach((p) => {
        productUnits[p.code] = p.unit_name; productUnits[p.name] = p.unit_name;
        list.appendChild(el("option", { value: p.code, text: p.name + "（" + (p.unit_name || "") + "）" }));
      });
      (info.last_products || []).forEach((p) => addProduct(p.product, p.unit_name));
    } catch (e) { showError(root, e); }
    document.getElementById("product-add").addEventListener("click", () => addProduct("", ""));
    function number(text) { text = text.trim(); return text === "" ? null : Number(text); }
    function payload(draft) {
      const data = new FormData(form);
      const values = {};
      form.querySelectorAll("label[data-field] input").forEach((input) => { values[input.name] = number(input.value); });
      const products = [];
      productBody.querySelectorAll("tr.product-row").forEach((row) => {
        const get = (name) => row.querySelector('input[name="' + name + '"]').value;
        if (!get("product").trim() || (get("output_m").trim() === "" && get("output_ytd").trim() === "")) return;
        products.push({ product: get("product").trim(), unit: get("unit").trim(), output_m: number(get("output_m")), output_ytd: number(get("output_ytd")) });
      });
      return { credit_code: code, period: String(data.get("period") || "").trim(), values: values, products: products, explanation: String(data.get("explanation") || "").trim() || null, draft: !!draft };
    }
    function markProducts(error) {
      const about = error && error.field && /产品|计量单位/.test(error.field);
      productMsg.textContent = about ? error.message : "";
      productMsg.classList.toggle("bad", !!about);
    }
    function mark(findings) {
      form.querySelectorAll("label[data-field]").forEach((label) => { label.classList.remove("bad", "warn"); label.querySelector(".field-msg").textContent = ""; });
      (findings || []).forEach((f) => {
        const label = form.querySelector('label[data-field="' + f.field + '"]');
        if (!label) return;
        label.classList.add(f.severity === "hard" ? "bad" : "warn");
        label.querySelector(".field-msg").textContent = f.message;
      });
    }
    function findingsList(findings) {
      return el("ul", { class: "findings" }, (findings || []).map((f) => el("li", { class: f.severity === "hard" ? "error" : "", text: (f.severity === "hard" ? "【错误】" : "【提示】") + (f.field_label ? f.field_label + "：" : "") + f.message })));
    }
    let timer = null;
    async function liveCheck() {
      const body = payload(false);
      if (!/^\d{4}-\d{2}$/.test(body.period)) return;
      try { const res = await api("/api/v1/enterprise/validate", { method: "POST", json: body }); mark(res.findings); markProducts(null); }
      catch (e) { mark(e.body && e.body.error ? e.body.error.findings : []); markProducts(e.body && e.body.error); }
    }
    form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(liveCheck, 400); });
    async function submit(draft) {
      result.textContent = "";
      try {
        const res = await api("/api/v1/enterprise/reports", { method: "POST", json: payload(draft) });
        mark([]);
        result.appendChild(el("p", { class: "ok", "data-testid": "submit-ok", text: (draft ? "草稿已保存" : "已上报") + "：报告编号 " + res.report_ids.join("、") }));
        loadHistory();
      } catch (e) {
        const findings = e.body && e.body.error ? e.body.error.findings : [];
        mark(findings);
        markProducts(e.body && e.body.error);
        const reason = e.body && e.body.error && e.body.error.findings && e.body.error.reason ? e.body.error.reason : e.message;
        result.appendChild(el("p", { class: "error", role: "alert", "data-testid": "submit-error", text: reason }));
        if (findings && findings.length) result.appendChild(findingsList(findings));
      }
    }
    form.addEventListener("submit", (e) => { e.preventDefault(); submit(false); });
    const draftButton = document.getElementById("report-draft");
    if (draftButton) draftButton.addEventListener("click", () => submit(true));
    document.getElementById("template-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const period = new FormData(e.target).get("period");
      window.location.href = "/api/v1/enterprise/template?period=" + encodeURIComponent(period) + "&" + q;
    });
    const upload = document.getElementById("upload-form");
    if (upload) upload.addEventListener("submit", async (e) => {
      e.preventDefault();
      const box = document.getElementById("upload-result");
      box.textContent = "";
      const response = await fetch("/api/v1/enterprise/upload", { method: "POST", body: new FormData(upload), credentials: "same-origin", headers: { "X-CSRF-Token": CSRF } });
      const body = await response.json().catch(() => ({}));
      if (response.ok) { box.appendChild(el("p", { class: "ok", text: "已上报 " + body.reports + " 份报表" })); loadHistory(); }
      else { box.appendChild(el("p", { class: "error", role: "alert", text: (body.error && body.error.message) || "上传失败" })); if (body.error && body.error.findings) box.appendChild(findingsList(body.error.findings)); }
    });
    async function loadHistory() {
      const tbody = document.querySelector("#report-history tbody");
      tbody.textContent = "";
      try {
        const data = await api("/api/v1/enterprise/reports?all_versions=true&" + q);
        data.items.slice().reverse().forEach((r) => tbody.appendChild(el("tr", {}, [
          el("td", { text: r.period }), el("td", { text: String(r.version) }), el("td", { text: r.status_label || r.status }),
          el("td", { text: (r.created_at || "").replace("T", " ").slice(0, 19) }), el("td", { text: r.created_by || "" }),
        ])));
      } catch (e) { showError(tbody.parentNode.parentNode, e); }
    }
    await loadHistory();
  };

  function rowsInto(tbody, items, cells) {
    tbody.textContent = "";
    items.forEach((item) => tbody.appendChild(el("tr", {}, cells(item).map((c) => (c instanceof Node ? el("td", {}, [c]) : el("td", { text: c === null || c === undefined ? "" : String(c) }))))));
  }

  pages.dispatch = async function () {
    let status;
    const main = document.querySelector("main");
    try { status = await api("/api/v1/plan/status"); } catch (e) { showError(main, e); return; }
    if (!status) return;
    document.getElementById("plan-title").textContent = status.plan.title || "";
    rowsInto(document.querySelector("#plan-targets tbody"), status.targets, (t) => [
      t.name, fmt(t.current, 0), fmt(t.target, 0) + (t.unit || ""), t.share === null ? "—" : t.share + "%",
      fmt(t.projected, 0) + "（" + fmt(t.projected_lower, 0) + "～" + fmt(t.projected_upper, 0) + "）", t.status,
    ]);
    if (status.targets.length) chart(document.getElementById("plan-targets-chart"), {
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 160, right: 30, top: 30, bottom: 20 },
      xAxis: { type: "value", max: 100, name: "%" }, yAxis: { type: "category", data: status.targets.map((t) => t.name) },
      series: [
        { name: "已完成", type: "bar", data: status.targets.map((t) => (t.target ? Math.min(100, (100 * t.current) / t.target) : 0)) },
        { name: "预测到期", type: "bar", data: status.targets.map((t) => (t.target ? Math.min(100, (100 * t.projected) / t.target) : 0)) },
      ],
    });
    rowsInto(document.querySelector("#plan-tasks tbody"), status.tasks, (t) => [t.task_id, t.title, t.area, t.reports, t.worst_status || "—"]);
    const detail = document.getElementById("round-detail");
    let current = null;
    async function openRound(id) {
      current = id;
      const data = await api("/api/v1/plan/rounds/" + id);
      detail.classList.remove("hidden");
      document.getElementById("round-title").textContent = data.round.title + "（" + data.round.status_label + "，截止 " + data.round.deadline_beijing + "）";
      rowsInto(document.querySelector("#round-submissions tbody"), data.submissions, (s) => [s.reporter_name, s.task_id, s.task_status, s.narrative, (s.submitted_at || "").replace("T", " ").slice(0, 16), s.review_label]);
    }
    rowsInto(document.querySelector("#plan-rounds tbody"), status.rounds, (r) => {
      const link = el("a", { href: "#round-" + r.round_id, text: r.title });
      link.addEventListener("click", (e) => { e.preventDefault(); openRound(r.round_id).catch((err) => showError(detail, err)); });
      return [link, r.period, r.deadline, r.status_label, r.reported + "/" + r.reporters, r.late];
    });
    const form = document.getElementById("progress-form");
    if (form) form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const box = document.getElementById("progress-result");
      box.textContent = "";
      const body = {};
      new FormData(form).forEach((v, k) => { if (String(v).trim()) body[k] = String(v).trim(); });
      try { await api("/api/v1/plan/rounds/" + current + "/submissions", { method: "POST", json: body }); box.appendChild(el("p", { class: "ok", text: "已报送" })); openRound(current); }
      catch (err) { showError(box, err); }
    });
  };

  pages.import = async function () {
    const form = document.getElementById("import-form");
    const box = document.getElementById("import-result");
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      box.textContent = "";
      box.appendChild(el("p", { class: "muted", text: "正在处理……" }));
      const data = new FormData(form);
      if (!form.querySelector("input[name=dry_run]").checked) data.set("dry_run", "false");
      const response = await fetch("/api/v1/imports", { method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRF-Token": CSRF } });
      const body = await response.json().catch(() => ({}));
      box.textContent = "";
      if (!response.ok) { box.appendChild(el("p", { class: "error", role: "alert", text: (body.error && body.error.message) || "导入失败" })); return; }
      const w = body.write;
      box.appendChild(el("section", { class: "card" }, [
        el("h2", { text: body.dry_run ? "检查结果（未写入）" : "导入完成" }),
        el("p", { text: "观测值 " + body.observations + " 条" + (w ? "；新增 " + w.new_observations + "，修订 " + w.revised_observations + "，未变 " + w.unchanged_observations + "，新序列 " + w.new_series.length : "") }),
      ]));
      const table = el("table", { class: "table" }, [el("thead", {}, [el("tr", {}, ["文件", "格式", "序列", "观测值", "缺失", "推算", "拒绝", "未识别"].map((t) => el("th", { text: t })))])]);
      const tbody = el("tbody");
      body.files.forEach((f) => tbody.appendChild(el("tr", {}, [f.file, f.format + (f.profile ? "/" + f.profile : ""), f.series, f.observations, f.missing, f.derived, (f.rejected || []).length, (f.unrecognised || []).length].map((v) => el("td", { text: String(v) })))));
      table.appendChild(tbody);
      box.appendChild(el("div", { class: "table-wrap card" }, [table]));
      const problems = (body.rejected || []).concat(body.unrecognised || []);
      if (problems.length) box.appendChild(el("section", { class: "card" }, [el("h2", { text: "需要处理的问题" }), el("ul", {}, problems.slice(0, 200).map((p) => el("li", { text: p.message || JSON.stringify(p) })))]));
    });
  };

  pages.report = async function () {
    const tbody = document.querySelector("#report-files tbody");
    async function load() {
      let data;
      try { data = await api("/api/v1/reports"); } catch (e) { showError(tbody.parentNode.parentNode, e); return; }
      rowsInto(tbody, data.items, (f) => [f.period, el("a", { href: f.url, text: f.name }), Math.round(f.size / 1024) + " KB"]);
      if (!data.items.length) tbody.appendChild(el("tr", {}, [el("td", { colspan: "3", class: "muted", text: "还没有生成过报告。" })]));
    }
    const form = document.getElementById("build-form");
    if (form) form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const box = document.getElementById("build-result");
      box.textContent = "正在生成……";
      const body = {};
      new FormData(form).forEach((v, k) => { if (String(v).trim()) body[k] = String(v).trim(); });
      try { const res = await api("/api/v1/reports", { method: "POST", json: body }); box.textContent = "已生成 " + res.period + "：" + res.files.map((f) => f.name).join("、"); load(); }
      catch (err) { box.textContent = ""; showError(box, err); }
    });
    await load();
  };

  window.qg = { api: api, el: el, chart: chart, fmt: fmt, showError: showError, lineOption: lineOption, pages: pages, ready: false };
  document.addEventListener("DOMContentLoaded", async () => {
    const name = document.body.dataset.page;
    try { if (pages[name]) await pages[name](); } finally { window.qg.ready = true; document.body.dataset.ready = "1"; }
  });
})();
