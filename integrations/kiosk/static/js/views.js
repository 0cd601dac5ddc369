// Drawing what Hark talks about: captions, product cards, the cart, the product
// detail view with its 3D model and QR code. Only textContent and attributes are
// set from data (never innerHTML), so shop or caller text cannot inject markup.

const $ = (id) => document.getElementById(id);

export function money(amount, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(amount);
  } catch {
    return `${Number(amount).toFixed(2)} ${currency}`;
  }
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/** Captions of everything said: the caller's words and Hark's replies. */
export class Captions {
  constructor() {
    this.box = $("captions");
    this.partial = $("partial");
    this.lastHark = null;
  }

  clear() {
    this.box.replaceChildren();
    this.partial.textContent = "";
    this.lastHark = null;
  }

  add(who, text, extra = "") {
    const node = el(
      "p",
      { class: `caption ${who === "you" ? "you" : "hark"} ${extra}`.trim() },
      el("span", { class: "who", text: who === "you" ? "You" : this.assistant || "Hark" }),
      document.createTextNode(text),
    );
    this.box.append(node);
    this.box.scrollTop = this.box.scrollHeight;
    if (who !== "you") this.lastHark = node;
    return node;
  }

  showPartial(text) {
    this.partial.textContent = text ? `${text}…` : "";
  }

  markInterrupted() {
    if (this.lastHark) this.lastHark.classList.add("interrupted");
  }
}

function stockText(stock) {
  if (stock <= 0) return "Out of stock";
  if (stock <= 5) return `Only ${stock} left`;
  return "In stock";
}

/** Product cards: image, name, price, stock and "Add to cart" (a typed turn). */
export function renderCards(cards, { currency, onAdd, onOpen }) {
  const list = $("cards");
  list.replaceChildren();
  $("cards-empty").hidden = cards.length > 0;
  for (const card of cards) {
    const inStock = card.stock > 0;
    const open = el(
      "button",
      {
        class: "open",
        type: "button",
        "aria-label": `Show details of ${card.name}`,
        onclick: () => onOpen(card),
      },
      card.image_url
        ? el("img", { src: card.image_url, alt: card.name, loading: "lazy" })
        : null,
      el(
        "div",
        { class: "body" },
        el("span", { class: "name", text: card.name }),
        el("span", { class: "price", text: money(card.price, currency) }),
        el("span", { class: `stock ${inStock ? "" : "out"}`, text: stockText(card.stock) }),
        card.model_url ? el("span", { class: "badge", text: "3D view" }) : null,
      ),
    );
    const add = el("button", {
      class: "primary add",
      type: "button",
      disabled: !inStock,
      "aria-label": `Add ${card.name} to cart`,
      text: "Add to cart",
      onclick: () => onAdd(card),
    });
    list.append(el("li", { class: "card", "data-sku": card.sku }, open, add));
  }
}

/** The cart as the last reply left it (`reply.cart`; null: no cart yet). */
export function renderCart(cart, currency) {
  const lines = cart ? cart.lines : [];
  const list = $("cart-lines");
  list.replaceChildren();
  for (const line of lines) {
    list.append(
      el(
        "li",
        { "data-sku": line.sku },
        el("span", { text: `${line.quantity} × ${line.name}` }),
        el("span", { text: money(line.price * line.quantity, (cart && cart.currency) || currency) }),
      ),
    );
  }
  $("cart-empty").hidden = lines.length > 0;
  $("cart-total").textContent = money(cart ? cart.total : 0, (cart && cart.currency) || currency);
}

let modelViewerLoad = null;

/** Load <model-viewer> once, on first need (it is large; most turns never show 3D). */
export function loadModelViewer() {
  if (!modelViewerLoad) {
    modelViewerLoad = import("/kiosk/static/vendor/model-viewer.min.js").then(
      () => customElements.whenDefined("model-viewer"),
    );
    modelViewerLoad.catch(() => {
      modelViewerLoad = null;
    });
  }
  return modelViewerLoad;
}

/** A <model-viewer> for a product: rotate and zoom by touch, AR where the device can. */
export function modelViewerFor(product) {
  return el("model-viewer", {
    src: product.model_url,
    alt: `3D model of ${product.name}`,
    poster: product.image_url || null,
    "camera-controls": true,
    "touch-action": "pan-y",
    "auto-rotate": true,
    "shadow-intensity": "1",
    ar: true,
    "ar-modes": "webxr scene-viewer quick-look",
    "ar-scale": "fixed",
  });
}

/** The detail view: picture or 3D model, facts, Add to cart, and a QR code for the phone. */
export class Detail {
  constructor({ currency, modelViewerAvailable, onAdd, onClose }) {
    this.currency = currency;
    this.modelViewerAvailable = modelViewerAvailable;
    this.onAdd = onAdd;
    this.onClose = onClose;
    this.product = null;
    this.returnFocus = null;
    $("detail-close").addEventListener("click", () => this.close());
    $("detail-add").addEventListener("click", () => this.product && this.onAdd(this.product));
    $("detail").addEventListener("click", (event) => {
      if (event.target === $("detail")) this.close();
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !$("detail").hidden) this.close();
    });
  }

  get isOpen() {
    return !$("detail").hidden;
  }

  open(product) {
    this.product = product;
    this.returnFocus = document.activeElement;
    $("detail-name").textContent = product.name;
    $("detail-price").textContent = money(product.price, this.currency);
    $("detail-stock").textContent = stockText(product.stock);
    $("detail-description").textContent = product.description || "";
    $("detail-add").disabled = product.stock <= 0;
    const image = $("detail-image");
    const viewer = $("detail-3d");
    const note = $("detail-3d-note");
    viewer.replaceChildren();
    viewer.hidden = true;
    note.hidden = true;
    image.hidden = !product.image_url;
    if (product.image_url) {
      image.src = product.image_url;
      image.alt = product.name;
    }
    const qr = $("detail-qr");
    qr.hidden = !product.model_url;
    if (product.model_url) {
      $("detail-qr-image").src = `/kiosk/qr/${encodeURIComponent(product.sku)}.svg`;
      $("detail-qr-image").alt = `QR code: open ${product.name} in 3D on your phone`;
      this.show3d(product, image, viewer, note);
    }
    $("detail").hidden = false;
    $("detail-close").focus();
  }

  show3d(product, image, viewer, note) {
    if (!this.modelViewerAvailable) {
      note.textContent = "The 3D view is not installed on this kiosk.";
      note.hidden = false;
      return;
    }
    loadModelViewer()
      .then(() => {
        if (this.product !== product) return;
        const mv = modelViewerFor(product);
        mv.addEventListener("load", () => viewer.setAttribute("data-loaded", "true"));
        mv.addEventListener("error", () => {
          note.textContent = "The 3D model could not be shown.";
          note.hidden = false;
        });
        viewer.replaceChildren(mv);
        viewer.hidden = false;
        image.hidden = true;
      })
      .catch(() => {
        note.textContent = "The 3D view could not be loaded.";
        note.hidden = false;
      });
  }

  close() {
    if (!this.isOpen) return;
    $("detail").hidden = true;
    $("detail-3d").replaceChildren();
    this.product = null;
    if (this.returnFocus && this.returnFocus.focus) this.returnFocus.focus();
    this.onClose();
  }
}
