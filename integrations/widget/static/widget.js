/*
 * Hark's website widget: one line of HTML puts the shop's assistant on any page.
 *
 *   <script src="https://hark.example.com/widget.js"
 *           data-hark-ticket-url="/my-backend/hark-ticket" async></script>
 *
 * A launcher button opens a panel with text chat, voice (hands-free, or hold the
 * microphone button to talk), product cards, the cart, a 3D view with a QR code for
 * the phone, and a "talk to a person" button. Everything lives in a Shadow DOM, so
 * the shop's CSS can't change the widget and the widget's can't change the shop.
 *
 * Authentication: the page never holds an API key. It POSTs to the shop's own back end
 * (data-hark-ticket-url), which answers with what Hark's POST /v1/voice/tickets gave
 * it; the widget opens Hark's voice socket with that single-use ticket, for text and
 * speech alike (docs/voice-protocol.md). A reload or another page of the shop continues
 * the conversation: the `ready` event's resume token is kept in sessionStorage and sent
 * back in `start` over a socket opened with a fresh ticket.
 *
 * Events for the shop's page (on `document`): hark:open, hark:close, hark:cart,
 * hark:handoff, hark:product. `window.HarkWidget.on_cart_change = fn` is called too.
 * docs/widget.md is the reference.
 */
(() => {
  "use strict";
  if (window.HarkWidget && window.HarkWidget.version) return; // the tag is on the page twice

  const script = document.currentScript;
  if (!script || !script.src) return;
  const HARK = new URL(script.src, window.location.href);
  const data = script.dataset;
  const RATE = 16000;
  const STORE_KEY = `hark-widget:${HARK.origin}`;
  const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];

  const STRINGS = {
    en: {
      open: "Chat with our assistant", close: "Close chat", title: "Shop assistant",
      placeholder: "Type your question", send: "Send", talk: "Talk",
      talkHint: "Talk to the assistant (click for hands-free, or hold to talk)",
      stopTalking: "Stop talking", person: "Talk to a person",
      personAsk: "I'd like to talk to a person, please.", you: "You", assistant: "Assistant",
      cart: "Your cart", cartEmpty: "Your cart is empty.", total: "Total",
      checkout: "Go to checkout", add: "Add to cart", addAsk: (n) => `Add the ${n} to my cart`,
      view3d: "View in 3D", closeViewer: "Close 3D view",
      qr: (n) => `Scan to see the ${n} on your phone`, inStock: (n) => `${n} in stock`,
      outOfStock: "Out of stock", connecting: "Connecting…", lost: "Connection lost. Retrying…",
      busy: "The assistant is busy. Retrying…", failed: "The assistant is unavailable right now.",
      micDenied: "Microphone access was refused. You can still type.",
      micMissing: "No microphone was found. You can still type.",
      handoff: "A person from our team will take it from here.", listening: "Listening…",
      products: "Products", conversation: "Conversation", ai: "AI assistant",
    },
    de: {
      open: "Mit unserem Assistenten chatten", close: "Chat schließen", title: "Shop-Assistent",
      placeholder: "Ihre Frage", send: "Senden", talk: "Sprechen",
      talkHint: "Mit dem Assistenten sprechen (Klick: freihändig, gedrückt halten: sprechen)",
      stopTalking: "Sprechen beenden", person: "Mit einem Menschen sprechen",
      personAsk: "I'd like to talk to a person, please.", you: "Sie", assistant: "Assistent",
      cart: "Ihr Warenkorb", cartEmpty: "Ihr Warenkorb ist leer.", total: "Summe",
      checkout: "Zur Kasse", add: "In den Warenkorb", addAsk: (n) => `Add the ${n} to my cart`,
      view3d: "In 3D ansehen", closeViewer: "3D-Ansicht schließen",
      qr: (n) => `Scannen, um ${n} auf dem Handy zu sehen`, inStock: (n) => `${n} auf Lager`,
      outOfStock: "Nicht auf Lager", connecting: "Verbinde…",
      lost: "Verbindung unterbrochen. Neuer Versuch…", busy: "Der Assistent ist ausgelastet. Neuer Versuch…",
      failed: "Der Assistent ist gerade nicht erreichbar.",
      micDenied: "Mikrofonzugriff verweigert. Sie können weiterhin schreiben.",
      micMissing: "Kein Mikrofon gefunden. Sie können weiterhin schreiben.",
      handoff: "Jemand aus unserem Team übernimmt jetzt.", listening: "Ich höre zu…",
      products: "Produkte", conversation: "Unterhaltung", ai: "KI-Assistent",
    },
    fr: {
      open: "Discuter avec notre assistant", close: "Fermer la discussion", title: "Assistant de la boutique",
      placeholder: "Votre question", send: "Envoyer", talk: "Parler",
      talkHint: "Parler à l'assistant (clic : mains libres, maintenir : parler)",
      stopTalking: "Arrêter de parler", person: "Parler à une personne",
      personAsk: "I'd like to talk to a person, please.", you: "Vous", assistant: "Assistant",
      cart: "Votre panier", cartEmpty: "Votre panier est vide.", total: "Total",
      checkout: "Passer commande", add: "Ajouter au panier", addAsk: (n) => `Add the ${n} to my cart`,
      view3d: "Voir en 3D", closeViewer: "Fermer la vue 3D",
      qr: (n) => `Scannez pour voir ${n} sur votre téléphone`, inStock: (n) => `${n} en stock`,
      outOfStock: "Rupture de stock", connecting: "Connexion…", lost: "Connexion perdue. Nouvel essai…",
      busy: "L'assistant est occupé. Nouvel essai…", failed: "L'assistant n'est pas disponible pour le moment.",
      micDenied: "Accès au micro refusé. Vous pouvez toujours écrire.",
      micMissing: "Aucun micro trouvé. Vous pouvez toujours écrire.",
      handoff: "Une personne de notre équipe prend le relais.", listening: "J'écoute…",
      products: "Produits", conversation: "Conversation", ai: "Assistant IA",
    },
    es: {
      open: "Chatear con nuestro asistente", close: "Cerrar el chat", title: "Asistente de la tienda",
      placeholder: "Escriba su pregunta", send: "Enviar", talk: "Hablar",
      talkHint: "Hablar con el asistente (clic: manos libres, mantener: hablar)",
      stopTalking: "Dejar de hablar", person: "Hablar con una persona",
      personAsk: "I'd like to talk to a person, please.", you: "Usted", assistant: "Asistente",
      cart: "Su carrito", cartEmpty: "Su carrito está vacío.", total: "Total",
      checkout: "Ir a pagar", add: "Añadir al carrito", addAsk: (n) => `Add the ${n} to my cart`,
      view3d: "Ver en 3D", closeViewer: "Cerrar la vista 3D",
      qr: (n) => `Escanee para ver ${n} en su teléfono`, inStock: (n) => `${n} en stock`,
      outOfStock: "Agotado", connecting: "Conectando…", lost: "Conexión perdida. Reintentando…",
      busy: "El asistente está ocupado. Reintentando…", failed: "El asistente no está disponible ahora.",
      micDenied: "Se denegó el micrófono. Puede seguir escribiendo.",
      micMissing: "No se encontró un micrófono. Puede seguir escribiendo.",
      handoff: "Una persona de nuestro equipo continuará.", listening: "Escuchando…",
      products: "Productos", conversation: "Conversación", ai: "Asistente de IA",
    },
  };
  const lang = (data.harkLang || document.documentElement.lang || "en").slice(0, 2).toLowerCase();
  const T = STRINGS[lang] || STRINGS.en;
  const config = {
    ticketUrl: data.harkTicketUrl || "",
    position: data.harkPosition === "left" ? "left" : "right",
    accent: data.harkAccent || "",
    title: data.harkTitle || T.title,
    greeting: data.harkGreeting || "",
    checkoutUrl: data.harkCheckoutUrl || "",
    currency: data.harkCurrency || "USD",
  };

  // ---------------------------------------------------------------- styles
  const CSS = `
:host { all: initial !important; position: fixed !important; z-index: 2147483000 !important;
  bottom: 20px !important; ${config.position}: 20px !important; display: block !important;
  font-family: var(--hark-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif) !important;
  font-size: 15px !important; line-height: 1.4 !important; color: var(--hark-text, #1a1a1a) !important; }
* { box-sizing: border-box; font: inherit; color: inherit; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
button { cursor: pointer; border: 0; border-radius: var(--hark-radius, 10px); min-height: 32px;
  min-width: 32px; padding: 6px 12px; background: #eef0f3; color: #1a1a1a; font-weight: 600; }
button:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid var(--hark-focus, #ffbf47);
  outline-offset: 2px; }
.primary { background: var(--hark-accent, #1f5fbf); color: var(--hark-on-accent, #fff); }
.launcher { width: 60px; height: 60px; border-radius: 50%; padding: 0; display: grid;
  place-items: center; box-shadow: 0 4px 16px rgba(0,0,0,.25); }
.launcher svg { width: 30px; height: 30px; fill: currentColor; }
.panel { position: absolute; bottom: 76px; ${config.position}: 0; width: min(380px, calc(100vw - 24px));
  height: min(600px, calc(100vh - 110px)); background: var(--hark-bg, #fff); border-radius: 14px;
  box-shadow: 0 8px 32px rgba(0,0,0,.3); display: flex; flex-direction: column; overflow: hidden;
  transition: opacity .15s ease, transform .15s ease; }
.panel[hidden] { display: none; }
header { display: flex; align-items: center; gap: 8px; padding: 10px 12px;
  background: var(--hark-accent, #1f5fbf); color: var(--hark-on-accent, #fff); }
header h2 { flex: 1; margin: 0; font-size: 16px; font-weight: 700; }
header .ai { font-size: 12px; opacity: .9; display: block; font-weight: 400; }
header button { background: transparent; color: inherit; padding: 4px 8px; }
.status { padding: 4px 12px; font-size: 13px; background: #fff4d6; color: #5c4400; }
.status:empty { display: none; }
.body { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 10px; }
.log { margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
.msg { margin: 0; max-width: 85%; padding: 8px 12px; border-radius: 12px; white-space: pre-wrap; word-wrap: break-word; }
.msg.user { align-self: flex-end; background: var(--hark-accent, #1f5fbf); color: var(--hark-on-accent, #fff); }
.msg.assistant { align-self: flex-start; background: #f0f2f5; color: #1a1a1a; }
.cards { display: flex; gap: 8px; overflow-x: auto; padding-bottom: 4px; }
.card { flex: 0 0 170px; border: 1px solid #d5d9e0; border-radius: 10px; padding: 8px;
  display: flex; flex-direction: column; gap: 4px; background: #fff; }
.card img { width: 100%; height: 100px; object-fit: contain; background: #fafafa; border-radius: 6px; }
.card .name { font-weight: 700; background: none; padding: 0; text-align: left; min-height: 24px;
  text-decoration: underline; color: #1a1a1a; }
.card .price { font-weight: 700; }
.card .stock { font-size: 13px; color: #2d5f2e; }
.card .stock.out { color: #a4262c; }
.cart { border-top: 1px solid #d5d9e0; padding: 8px 12px; font-size: 14px; }
.cart h3 { margin: 0 0 4px; font-size: 14px; }
.cart ul { margin: 0; padding: 0; list-style: none; }
.cart li, .cart .total { display: flex; justify-content: space-between; gap: 8px; }
.cart .total { font-weight: 700; margin-top: 4px; }
.cart a { color: var(--hark-accent, #1f5fbf); font-weight: 700; }
form { display: flex; gap: 6px; padding: 10px 12px; border-top: 1px solid #d5d9e0; }
input { flex: 1; min-width: 0; padding: 8px 10px; border: 1px solid #8a8f98; border-radius: 8px;
  background: #fff; color: #1a1a1a; }
.mic[aria-pressed="true"] { background: #a4262c; color: #fff; }
.tools { display: flex; gap: 6px; padding: 0 12px 10px; }
.viewer { position: absolute; inset: 0; background: var(--hark-bg, #fff); display: flex;
  flex-direction: column; padding: 12px; gap: 8px; }
.viewer[hidden] { display: none; }
.viewer model-viewer, .viewer .stage { flex: 1; width: 100%; min-height: 200px; background: #fafafa; }
.viewer img.qr { width: 120px; height: 120px; align-self: center; }
@media (max-width: 480px) {
  .panel { position: fixed; inset: 0; width: 100vw; height: 100vh; border-radius: 0; bottom: 0; }
}
@media (prefers-reduced-motion: reduce) { * { transition: none !important; animation: none !important; } }
`;

  // ---------------------------------------------------------------- small helpers
  function el(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }
  const ICON_CHAT =
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';
  function money(amount, currency) {
    try {
      return new Intl.NumberFormat(document.documentElement.lang || "en", {
        style: "currency",
        currency: currency || config.currency,
      }).format(amount);
    } catch {
      return `${Number(amount).toFixed(2)} ${currency || ""}`.trim();
    }
  }
  function absolute(url) {
    if (!url) return null;
    try {
      const parsed = new URL(url, HARK);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch {
      return null;
    }
  }
  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent(`hark:${name}`, { detail }));
  }
  function load() {
    try {
      return JSON.parse(sessionStorage.getItem(STORE_KEY) || "null") || {};
    } catch {
      return {};
    }
  }

  // ---------------------------------------------------------------- state
  const saved = load();
  const state = {
    open: false,
    log: Array.isArray(saved.log) ? saved.log.slice(-40) : [],
    cart: saved.cart || null,
    resume: typeof saved.resume === "string" ? saved.resume : null,
    sessionId: null,
    voice: false, // the visitor has used voice: replies are played aloud
    events: [], // every server event type received, for diagnostics
  };
  function persist() {
    try {
      sessionStorage.setItem(
        STORE_KEY,
        JSON.stringify({ log: state.log.slice(-40), cart: state.cart, resume: state.resume,
                         open: state.open }),
      );
    } catch {
      /* storage full or disabled: the conversation just won't survive a reload */
    }
  }

  // ---------------------------------------------------------------- the DOM
  const host = el("hark-widget");
  const root = host.attachShadow({ mode: "open" });
  const style = el("style", { text: CSS });
  const launcher = el("button", {
    type: "button", class: "launcher primary", "aria-label": T.open, "aria-expanded": "false",
    "aria-controls": "hark-panel", onclick: () => (state.open ? closePanel() : openPanel()),
  });
  launcher.innerHTML = ICON_CHAT;
  const status = el("div", { class: "status", role: "status" });
  const log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": T.conversation });
  const cards = el("div", { class: "cards", role: "list", "aria-label": T.products });
  const body = el("div", { class: "body" }, [log, cards]);
  const cartBox = el("section", { class: "cart", "aria-label": T.cart, hidden: true });
  const input = el("input", { id: "hark-input", type: "text", autocomplete: "off",
                              placeholder: T.placeholder, maxlength: "1000" });
  const mic = el("button", { type: "button", class: "mic", "aria-pressed": "false",
                             "aria-label": T.talkHint, text: T.talk });
  const form = el("form", { onsubmit: (event) => { event.preventDefault(); submitTyped(); } }, [
    el("label", { for: "hark-input", class: "sr-only", text: T.placeholder }),
    input,
    mic,
    el("button", { type: "submit", class: "primary", text: T.send }),
  ]);
  const personButton = el("button", { type: "button", text: T.person,
                                      onclick: () => sendText(T.personAsk) });
  const tools = el("div", { class: "tools" }, [personButton]);
  const viewer = el("div", { class: "viewer", role: "dialog", "aria-modal": "true",
                             "aria-label": T.view3d, hidden: true });
  const title = el("h2", { id: "hark-title" }, [
    document.createTextNode(config.title),
    el("span", { class: "ai", text: T.ai }),
  ]);
  const closeButton = el("button", { type: "button", "aria-label": T.close, text: "✕",
                                     onclick: () => closePanel() });
  const panel = el("div", { class: "panel", id: "hark-panel", role: "dialog",
                            "aria-labelledby": "hark-title", hidden: true }, [
    el("header", {}, [title, closeButton]), status, body, cartBox, tools, form, viewer,
  ]);
  if (config.accent) host.style.setProperty("--hark-accent", config.accent);
  root.append(style, panel, launcher);
  root.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if (!viewer.hidden) closeViewer();
    else closePanel();
  });

  // ---------------------------------------------------------------- drawing
  function addMessage(role, text, save = true) {
    if (!text) return;
    const who = el("span", { class: "sr-only", text: `${role === "user" ? T.you : T.assistant}: ` });
    log.append(el("p", { class: `msg ${role}` }, [who, document.createTextNode(text)]));
    if (save) {
      state.log.push({ role, text });
      persist();
    }
    body.scrollTop = body.scrollHeight;
  }
  function renderCards(list) {
    cards.replaceChildren();
    for (const card of list || []) {
      const image = absolute(card.image_url);
      const model = absolute(card.model_url);
      const stock = Number(card.stock) || 0;
      cards.append(
        el("div", { class: "card", role: "listitem", "data-sku": card.sku }, [
          image ? el("img", { src: image, alt: card.name, loading: "lazy" }) : null,
          el("button", { type: "button", class: "name", text: card.name,
                         onclick: () => emit("product", { ...card, image_url: image, model_url: model }) }),
          el("span", { class: "price", text: money(card.price) }),
          el("span", { class: `stock${stock > 0 ? "" : " out"}`,
                       text: stock > 0 ? T.inStock(stock) : T.outOfStock }),
          el("button", { type: "button", class: "primary", text: T.add,
                         "aria-label": `${T.add}: ${card.name}`, disabled: stock <= 0,
                         onclick: () => sendText(T.addAsk(card.name)) }),
          model ? el("button", { type: "button", text: T.view3d, "aria-label": `${T.view3d}: ${card.name}`,
                                 onclick: () => openViewer(card, model) }) : null,
        ]),
      );
    }
  }
  function renderCart(cart) {
    const lines = (cart && cart.lines) || [];
    cartBox.hidden = cart === null;
    cartBox.replaceChildren(el("h3", { text: T.cart }));
    if (!lines.length) {
      cartBox.append(el("p", { text: T.cartEmpty }));
      return;
    }
    cartBox.append(
      el("ul", {}, lines.map((line) => el("li", { "data-sku": line.sku }, [
        el("span", { text: `${line.quantity} × ${line.name}` }),
        el("span", { text: money(line.price * line.quantity, cart.currency) }),
      ]))),
      el("div", { class: "total" }, [el("span", { text: T.total }), el("span", { text: money(cart.total, cart.currency) })]),
    );
    if (config.checkoutUrl) cartBox.append(el("a", { href: config.checkoutUrl, text: T.checkout }));
  }
  function setCart(cart) {
    const before = JSON.stringify(state.cart);
    state.cart = cart;
    renderCart(cart);
    persist();
    if (JSON.stringify(cart) === before) return;
    const detail = { conversation_id: state.sessionId, cart };
    emit("cart", detail);
    if (typeof api.on_cart_change === "function") {
      try {
        api.on_cart_change(detail);
      } catch (error) {
        console.error("HarkWidget.on_cart_change failed", error);
      }
    }
  }

  // ---------------------------------------------------------------- the 3D view
  let modelViewerLoading = null;
  function loadModelViewer() {
    if (customElements.get("model-viewer")) return Promise.resolve(true);
    if (!modelViewerLoading) {
      modelViewerLoading = new Promise((resolve) => {
        const tag = document.createElement("script");
        tag.type = "module";
        tag.src = new URL("/widget/model-viewer.js", HARK).href;
        tag.onload = () => resolve(true);
        tag.onerror = () => resolve(false);
        document.head.append(tag);
      });
    }
    return modelViewerLoading;
  }
  let viewerReturn = null;
  async function openViewer(card, model) {
    viewerReturn = root.activeElement;
    const back = el("button", { type: "button", text: T.closeViewer, onclick: () => closeViewer() });
    const stage = el("div", { class: "stage" });
    const qr = el("img", { class: "qr", alt: T.qr(card.name),
                           src: new URL(`/kiosk/qr/${encodeURIComponent(card.sku)}.svg`, HARK).href });
    viewer.replaceChildren(back, el("h3", { text: card.name }), stage, qr);
    viewer.hidden = false;
    back.focus();
    if (await loadModelViewer()) {
      stage.replaceWith(el("model-viewer", { src: model, alt: card.name, "camera-controls": true,
                                             ar: true, "touch-action": "pan-y" }));
    }
  }
  function closeViewer() {
    viewer.hidden = true;
    viewer.replaceChildren();
    if (viewerReturn && viewerReturn.focus) viewerReturn.focus();
  }

  // ---------------------------------------------------------------- audio out
  class Player {
    constructor() {
      this.context = null;
      this.next = 0;
      this.rate = RATE;
      this.sources = new Set();
      this.stats = { frames: 0, playedMs: 0, flushes: 0 };
    }
    ensure() {
      if (!this.context) this.context = new AudioContext({ sampleRate: RATE });
      if (this.context.state === "suspended") this.context.resume();
      return this.context;
    }
    push(buffer) {
      const context = this.ensure();
      const samples = new Int16Array(buffer.slice(0, buffer.byteLength - (buffer.byteLength % 2)));
      if (!samples.length) return;
      const audio = context.createBuffer(1, samples.length, this.rate);
      const channel = audio.getChannelData(0);
      for (let i = 0; i < samples.length; i++) channel[i] = samples[i] / 32768;
      const source = context.createBufferSource();
      source.buffer = audio;
      source.connect(context.destination);
      const at = Math.max(this.next, context.currentTime + 0.08);
      source.start(at);
      this.next = at + audio.duration;
      this.sources.add(source);
      this.stats.frames += 1;
      source.onended = () => {
        if (this.sources.delete(source)) this.stats.playedMs += audio.duration * 1000;
      };
    }
    get playing() {
      return this.sources.size > 0;
    }
    flush() {
      for (const source of this.sources) {
        source.onended = null;
        try {
          source.stop();
        } catch {
          /* not started yet */
        }
      }
      this.sources.clear();
      this.next = 0;
      this.stats.flushes += 1;
    }
  }
  const player = new Player();

  // ---------------------------------------------------------------- audio in
  // The capture worklet runs on the audio thread; loaded from a Blob URL so it works
  // whatever the page's origin (no cross-origin worklet fetch).
  const WORKLET = `class C extends AudioWorkletProcessor{constructor(){super();this.f=new Int16Array(320);this.n=0}
process(i){const c=i[0]&&i[0][0];if(!c)return true;for(let k=0;k<c.length;k++){const v=Math.max(-1,Math.min(1,c[k]));
this.f[this.n++]=v<0?v*32768:v*32767;if(this.n===this.f.length){const o=this.f.slice(0);this.port.postMessage(o.buffer,[o.buffer]);this.n=0}}return true}}
registerProcessor("hark-capture",C);`;
  const microphone = { stream: null, node: null, source: null, on: false };
  async function startMic() {
    if (microphone.on) return true;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      setStatus(T.micMissing);
      return false;
    }
    try {
      microphone.stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      });
    } catch (error) {
      setStatus(error && error.name === "NotAllowedError" ? T.micDenied : T.micMissing);
      return false;
    }
    const context = player.ensure();
    const url = URL.createObjectURL(new Blob([WORKLET], { type: "text/javascript" }));
    try {
      await context.audioWorklet.addModule(url);
    } finally {
      URL.revokeObjectURL(url);
    }
    microphone.source = context.createMediaStreamSource(microphone.stream);
    microphone.node = new AudioWorkletNode(context, "hark-capture", { numberOfOutputs: 0 });
    microphone.node.port.onmessage = (message) => connection.sendAudio(message.data);
    microphone.source.connect(microphone.node);
    microphone.on = true;
    state.voice = true;
    mic.setAttribute("aria-pressed", "true");
    mic.textContent = T.stopTalking;
    setStatus(T.listening, true);
    return true;
  }
  function stopMic() {
    if (microphone.source) microphone.source.disconnect();
    if (microphone.node) microphone.node.port.onmessage = null;
    if (microphone.stream) microphone.stream.getTracks().forEach((track) => track.stop());
    Object.assign(microphone, { stream: null, node: null, source: null, on: false });
    mic.setAttribute("aria-pressed", "false");
    mic.textContent = T.talk;
    setStatus("");
  }
  // Click: hands-free until clicked again. Press and hold: push-to-talk.
  let pressedAt = 0;
  mic.addEventListener("pointerdown", () => {
    pressedAt = performance.now();
    if (!microphone.on) startMic().then((ok) => ok && connection.ensure());
    else pressedAt = 0;
  });
  mic.addEventListener("pointerup", () => {
    if (pressedAt && performance.now() - pressedAt > 500) stopMic(); // held: push-to-talk ends
    else if (!pressedAt) stopMic(); // a click while on: hands-free ends
    pressedAt = -1;
  });
  mic.addEventListener("click", (event) => {
    if (event.detail === 0) (microphone.on ? stopMic() : startMic().then((ok) => ok && connection.ensure()));
  }); // keyboard activation (Enter/Space) has detail 0: toggles

  // ---------------------------------------------------------------- the connection
  async function ticket() {
    if (!config.ticketUrl) throw new Error("data-hark-ticket-url is missing on the widget's script tag");
    const response = await fetch(config.ticketUrl, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({}),
    });
    if (response.status === 429 || response.status >= 500) return { retry: true, busy: response.status === 429 };
    if (!response.ok) throw new Error(`the ticket endpoint answered ${response.status}`);
    const answer = await response.json();
    if (!answer || typeof answer.ticket !== "string") throw new Error("the ticket endpoint gave no ticket");
    return { ticket: answer.ticket };
  }
  const connection = {
    ws: null, attempt: 0, timer: null, pending: [], wanted: false,
    get open() {
      return this.ws !== null && this.ws.readyState === WebSocket.OPEN && state.sessionId !== null;
    },
    async ensure() {
      this.wanted = true;
      if (this.ws) return;
      setStatus(T.connecting);
      let got;
      try {
        got = await ticket();
      } catch (error) {
        console.error("Hark widget:", error.message);
        setStatus(T.failed);
        this.wanted = false;
        return;
      }
      if (got.retry) return this.retry(got.busy ? T.busy : T.lost);
      if (this.ws || !this.wanted) return;
      const scheme = HARK.protocol === "https:" ? "wss:" : "ws:";
      const ws = new WebSocket(`${scheme}//${HARK.host}/v1/voice?ticket=${encodeURIComponent(got.ticket)}`);
      ws.binaryType = "arraybuffer";
      this.ws = ws;
      ws.onopen = () => {
        // echo_cancelled: the browser's own canceller runs on the microphone (getUserMedia).
        const start = { type: "start", sample_rate: RATE, encoding: "pcm_s16le", echo_cancelled: true };
        if (state.resume) start.resume = state.resume;
        ws.send(JSON.stringify(start));
      };
      ws.onmessage = (message) => ws === this.ws && onMessage(message.data);
      ws.onclose = (close) => {
        if (ws !== this.ws) return;
        this.ws = null;
        state.sessionId = null;
        if (this.wanted) this.retry(close.code === 1013 ? T.busy : T.lost);
      };
    },
    retry(message) {
      setStatus(message);
      const delay = BACKOFF_MS[Math.min(this.attempt++, BACKOFF_MS.length - 1)];
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.ensure(), delay);
    },
    sendText(text) {
      if (this.open) this.ws.send(JSON.stringify({ type: "text", text }));
      else {
        this.pending.push(text);
        this.ensure();
      }
    },
    sendAudio(buffer) {
      if (this.open) this.ws.send(buffer);
    },
    flush() {
      while (this.open && this.pending.length) this.ws.send(JSON.stringify({ type: "text", text: this.pending.shift() }));
    },
    close() {
      this.wanted = false;
      clearTimeout(this.timer);
      if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: "stop" }));
      if (this.ws) this.ws.close(1000);
      this.ws = null;
      state.sessionId = null;
    },
  };
  let greeted = state.log.length > 0;
  function onMessage(raw) {
    if (typeof raw !== "string") {
      if (state.voice) player.push(raw);
      return;
    }
    let event;
    try {
      event = JSON.parse(raw);
    } catch {
      return;
    }
    state.events.push(event.type);
    switch (event.type) {
      case "ready":
        state.sessionId = event.session_id;
        if (event.resume_token) state.resume = event.resume_token;
        connection.attempt = 0;
        setStatus(microphone.on ? T.listening : "", microphone.on);
        persist();
        connection.flush();
        break;
      case "transcript":
        if (event.final && event.text) addMessage("user", event.text);
        break;
      case "reply":
        if (event.intent !== "greet" || !greeted) addMessage("assistant", event.text);
        greeted = true;
        if (event.cards && event.cards.length) renderCards(event.cards);
        if ("cart" in event) setCart(event.cart);
        break;
      case "handoff":
        setStatus(T.handoff, true);
        emit("handoff", { conversation_id: state.sessionId, summary: event.summary });
        break;
      case "interrupted":
        player.flush();
        break;
      case "error":
        if (event.code === "server_busy") setStatus(T.busy);
        break;
      default:
        break;
    }
  }
  function setStatus(text, polite = false) {
    status.textContent = text;
    status.setAttribute("aria-live", polite ? "polite" : "assertive");
  }

  // ---------------------------------------------------------------- actions
  function sendText(text) {
    const clean = String(text || "").trim().slice(0, 1000);
    if (!clean) return;
    if (player.playing) player.flush();
    addMessage("user", clean);
    connection.sendText(clean);
  }
  function submitTyped() {
    sendText(input.value);
    input.value = "";
    input.focus();
  }
  function openPanel({ focus = true } = {}) {
    state.open = true;
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    persist();
    connection.ensure();
    if (focus) input.focus();
    emit("open", {});
  }
  function closePanel() {
    if (!state.open) return;
    state.open = false;
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    stopMic();
    player.flush();
    connection.close();
    persist();
    launcher.focus();
    emit("close", {});
  }

  // ---------------------------------------------------------------- start
  if (config.greeting && !state.log.length) addMessage("assistant", config.greeting, false);
  for (const line of state.log) addMessage(line.role, line.text, false);
  renderCart(state.cart);
  const api = {
    version: "1",
    open: () => openPanel(),
    close: closePanel,
    send: sendText,
    get sessionId() {
      return state.sessionId;
    },
    get cart() {
      return state.cart;
    },
    get state() {
      return { open: state.open, sessionId: state.sessionId, events: state.events.slice(),
               voice: state.voice, player: { ...player.stats, playing: player.playing } };
    },
    on_cart_change: null,
  };
  window.HarkWidget = api;
  const mount = () => {
    document.body.append(host);
    if (saved.open) openPanel({ focus: false }); // a reload: the panel stays as it was
  };
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount, { once: true });
})();
