// The live request log: polls the log every second and prepends calls not shown yet.
// The page works without it (it is server-rendered); this only keeps it current.
(function () {
  "use strict";
  const list = document.getElementById("log");
  const state = document.getElementById("live-state");
  if (!list) { return; }
  const seen = new Set(Array.from(list.children).map((item) => item.dataset.requestId));

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function entry(call) {
    const item = element("li");
    item.dataset.requestId = call.RequestId;
    const details = element("details");
    const summary = element("summary");
    summary.append(element("time", call.Time), " ", element("strong", call.Operation || "-"), " ",
      element("span", String(call.Status), "status s" + Math.floor(call.Status / 100)), " ",
      call.ErrorCode || "", " ", element("code", call.AccessKeyId));
    details.append(summary, element("h3", "Request"),
      element("pre", JSON.stringify(call.Parameters, null, 2)), element("h3", "Response"),
      element("pre", JSON.stringify(call.Response, null, 2)));
    item.append(details);
    return item;
  }

  async function poll() {
    try {
      const response = await fetch(list.dataset.source + window.location.search,
        { credentials: "same-origin", cache: "no-store" });
      if (response.ok) {
        const calls = (await response.json()).Requests;
        const fresh = calls.filter((call) => !seen.has(call.RequestId));
        fresh.reverse().forEach((call) => { seen.add(call.RequestId); list.prepend(entry(call)); });
        state.textContent = "Live: updated " + new Date().toLocaleTimeString() + ".";
      }
    } catch (error) {
      state.textContent = "Live updates paused: " + error;
    }
    window.setTimeout(poll, 1000);
  }
  window.setTimeout(poll, 1000);
}());
