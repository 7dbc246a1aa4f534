// The citizen's phone: plays one Zalo user against the OA through the simulator's control API.
// Every action becomes a signed webhook to the product; replies are polled once a second.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { userId: localStorage.getItem("zalo-sim-user") || "", lastSeq: -1, users: [], usersSignature: "" };

const EVENT_TEXT = {
  follow: "Bạn đã quan tâm OA",
  unfollow: "Bạn đã bỏ quan tâm OA",
  user_click_chatnow: "Bạn đã bấm “Nhắn tin”",
  user_submit_info: "Bạn đã chia sẻ thông tin với OA",
};

async function api(method, path, body) {
  const answer = await fetch(path, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await answer.json().catch(() => ({}));
  if (!answer.ok) throw new Error(data.error || `HTTP ${answer.status}`);
  return data;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function when(ms) {
  return new Date(ms).toLocaleString("vi-VN", { hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit" });
}

function phoneLabel(phone) {
  return phone ? "0" + phone.slice(2) : "chưa có số";
}

function report(result, what) {
  const status = $("status");
  if (result.webhook_status === null || result.webhook_status === undefined) {
    status.textContent = `${what}: ${result.webhook_error || "không gửi được webhook"}`;
    status.className = "status bad";
  } else {
    const good = result.webhook_status >= 200 && result.webhook_status < 300;
    status.textContent = `${what}: webhook trả về HTTP ${result.webhook_status}${good ? " ✓" : ""}`;
    status.className = good ? "status" : "status bad";
  }
}

function fail(error) {
  $("status").textContent = `Lỗi: ${error.message}`;
  $("status").className = "status bad";
}

// --- rendering ---------------------------------------------------------------------------------
function render(item) {
  if (item.kind === "user_chat") return bubble("in", item);
  if (item.kind === "oa_chat") return item.type === "request_user_info" ? infoCard(item) : bubble("out", item);
  if (item.kind === "zbs") return noticeCard(item);
  if (item.kind === "broadcast") return articleCard(item);
  if (item.kind === "event") return el("p", { class: "event" }, `${EVENT_TEXT[item.event_name] || item.event_name} · ${when(item.at)}`);
  return null;
}

function bubble(side, item) {
  const node = el("div", { class: `msg ${side}` });
  if (item.type === "image" && item.url) node.append(el("img", { src: item.url, alt: "Ảnh" }));
  if (item.type === "link" && item.url) node.append(el("p", { class: "link" }, `🔗 ${item.url}`));
  if (item.text) node.append(item.text);
  node.append(el("time", {}, when(item.at)));
  return node;
}

function infoCard(item) {
  const button = el("button", { type: "button" }, "Chia sẻ thông tin");
  button.addEventListener("click", shareInfo);
  return el("article", { class: "card" },
    el("header", {}, "Yêu cầu chia sẻ thông tin"),
    el("h3", {}, item.title),
    item.subtitle ? el("p", {}, item.subtitle) : null,
    el("div", { class: "actions" }, button),
    el("footer", {}, when(item.at)));
}

function noticeCard(item) {
  const rows = el("dl");
  for (const [key, value] of Object.entries(item.template_data || {})) {
    rows.append(el("dt", {}, (item.labels && item.labels[key]) || key), el("dd", {}, String(value)));
  }
  const badge = item.mode === "development" ? el("span", { class: "badge" }, "thử nghiệm") : null;
  return el("article", { class: "card" },
    el("header", {}, el("span", {}, "Thông báo"), badge),
    rows,
    el("footer", {}, `Tin nhắn qua số điện thoại · ${when(item.at)}`));
}

function articleCard(item) {
  const article = item.article || {};
  const cover = article.cover && article.cover.photo_url ? el("img", { class: "cover", src: article.cover.photo_url, alt: "" }) : null;
  if (cover) cover.addEventListener("error", () => cover.remove());
  return el("article", { class: "card" },
    el("header", {}, el("span", {}, "Tin bài từ OA")),
    cover,
    el("h3", {}, article.title || ""),
    article.description ? el("p", {}, article.description) : null,
    el("footer", {}, when(item.at)));
}

function showInbox(inbox) {
  const last = inbox.timeline.length ? inbox.timeline[inbox.timeline.length - 1].seq : 0;
  updateFollow(inbox.user);
  if (last === state.lastSeq) return;
  const first = state.lastSeq === -1;
  state.lastSeq = last;
  const chat = $("chat");
  const nearBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 120;
  chat.replaceChildren();
  if (!inbox.timeline.length) chat.append(el("p", { class: "empty" }, "Chưa có tin nhắn. Hãy gửi mã hồ sơ cho OA."));
  for (const item of inbox.timeline) {
    const node = render(item);
    if (node) chat.append(node);
  }
  if (first || nearBottom) window.scrollTo(0, document.body.scrollHeight);
}

function updateFollow(user) {
  const button = $("follow-btn");
  button.disabled = !user;
  button.textContent = user && user.is_follower ? "Đang quan tâm ✓" : "Quan tâm";
  button.classList.toggle("on", Boolean(user && user.is_follower));
}

function enableComposer(on) {
  for (const id of ["text", "send-btn", "photo", "share-btn"]) $(id).disabled = !on;
}

// --- data --------------------------------------------------------------------------------------
async function loadUsers() {
  const { users } = await api("GET", "/_sim/users");
  const signature = users.map((u) => `${u.user_id}:${u.display_name}:${u.phone}`).join("|");
  state.users = users;
  if (signature === state.usersSignature) return;  // rebuilding would close an open dropdown
  state.usersSignature = signature;
  const select = $("citizen");
  const keep = state.userId;
  select.replaceChildren(el("option", { value: "" }, "— chọn công dân —"));
  for (const user of users) {
    select.append(el("option", { value: user.user_id }, `${user.display_name} (${phoneLabel(user.phone)})`));
  }
  select.value = users.some((u) => u.user_id === keep) ? keep : "";
  if (!select.value) choose("");
}

function choose(userId) {
  state.userId = userId;
  state.lastSeq = -1;
  localStorage.setItem("zalo-sim-user", userId);
  enableComposer(Boolean(userId));
  if (!userId) {
    updateFollow(null);
    $("chat").replaceChildren(el("p", { class: "empty" }, "Chọn hoặc tạo một công dân để bắt đầu trò chuyện với OA."));
  }
  poll();
}

async function poll() {
  if (!state.userId) return;
  try {
    showInbox(await api("GET", `/_sim/users/${state.userId}/inbox`));
  } catch (error) {
    if (String(error.message).startsWith("no user")) await loadUsers();
  }
}

async function loadConfig() {
  const config = await api("GET", "/_sim/config");
  $("oa-name").textContent = config.oa_name;
  if (!config.webhook_url) {
    $("banner").textContent = "Chưa cấu hình webhook_url: tin nhắn của bạn chỉ được ghi lại, không gửi tới hệ thống.";
    $("banner").hidden = false;
  }
}

// --- actions -----------------------------------------------------------------------------------
async function sendText(event) {
  event.preventDefault();
  const text = $("text").value.trim();
  if (!text || !state.userId) return;
  $("text").value = "";
  try {
    report(await api("POST", `/_sim/users/${state.userId}/messages`, { text }), "Đã gửi tin nhắn");
  } catch (error) { fail(error); }
  poll();
}

async function sendPhoto() {
  const file = $("photo").files[0];
  if (!file || !state.userId) return;
  const data = await new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",")[1]);
    reader.onerror = reject;
    reader.readAsDataURL(file);
  });
  try {
    const body = { image_base64: data, content_type: file.type || "image/jpeg" };
    report(await api("POST", `/_sim/users/${state.userId}/images`, body), "Đã gửi ảnh");
  } catch (error) { fail(error); }
  $("photo").value = "";
  poll();
}

async function toggleFollow() {
  const user = state.users.find((u) => u.user_id === state.userId);
  const inbox = await api("GET", `/_sim/users/${state.userId}/inbox`);
  const action = inbox.user.is_follower ? "unfollow" : "follow";
  try {
    const result = await api("POST", `/_sim/users/${state.userId}/${action}`);
    report(result, action === "follow" ? "Đã quan tâm OA" : "Đã bỏ quan tâm OA");
    if (user) user.is_follower = result.user.is_follower;
  } catch (error) { fail(error); }
  poll();
}

async function shareInfo() {
  if (!state.userId) return;
  try {
    report(await api("POST", `/_sim/users/${state.userId}/submit-info`, {}), "Đã chia sẻ số điện thoại");
  } catch (error) { fail(error); }
  poll();
}

async function createCitizen(event) {
  event.preventDefault();
  const body = {
    display_name: $("new-name").value.trim(),
    phone: $("new-phone").value.trim(),
    follower: false,
  };
  try {
    const user = await api("POST", "/_sim/users", body);
    state.userId = user.user_id;
    await loadUsers();
    choose(user.user_id);
    if ($("new-follow").checked) report(await api("POST", `/_sim/users/${user.user_id}/follow`), "Đã quan tâm OA");
    $("new-form").reset();
    $("new-form").hidden = true;
  } catch (error) { fail(error); }
}

// --- start -------------------------------------------------------------------------------------
$("send-form").addEventListener("submit", sendText);
$("photo").addEventListener("change", sendPhoto);
$("follow-btn").addEventListener("click", toggleFollow);
$("share-btn").addEventListener("click", shareInfo);
$("new-form").addEventListener("submit", createCitizen);
$("new-toggle").addEventListener("click", () => { $("new-form").hidden = !$("new-form").hidden; });
$("citizen").addEventListener("change", (event) => choose(event.target.value));

loadConfig().catch(fail);
loadUsers().then(() => choose($("citizen").value)).catch(fail);
setInterval(poll, 1000);
setInterval(() => loadUsers().catch(() => {}), 5000);
