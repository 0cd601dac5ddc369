// The phone view behind a kiosk's QR code: the product in 3D, with <model-viewer>'s
// AR mode (WebXR / Scene Viewer on Android, Quick Look on iOS) placing it in the room.

import { loadModelViewer, modelViewerFor, money } from "./views.js";

const $ = (id) => document.getElementById(id);
const config = JSON.parse($("kiosk-config").textContent || "{}");

function note(text) {
  $("note").textContent = text;
  $("note").hidden = false;
}

async function show() {
  let product;
  try {
    const response = await fetch(`/kiosk/products/${encodeURIComponent(config.sku)}`);
    if (!response.ok) throw new Error(String(response.status));
    product = await response.json();
  } catch {
    $("name").textContent = "Product not found";
    note("This product could not be loaded. Please scan the code again.");
    return;
  }
  document.title = product.name;
  $("name").textContent = product.name;
  $("price").textContent = money(product.price, product.currency || config.currency || "USD");
  $("description").textContent = product.description;
  if (product.image_url) {
    $("image").src = product.image_url;
    $("image").alt = product.name;
    $("image").hidden = false;
  }
  if (!product.model_url) return;
  if (config.model_viewer === false) {
    note("The 3D view is not installed on this server.");
    return;
  }
  try {
    await loadModelViewer();
  } catch {
    note("The 3D view could not be loaded.");
    return;
  }
  const viewer = modelViewerFor(product);
  viewer.addEventListener("load", () => {
    $("viewer").dataset.loaded = "true";
    $("ar-hint").hidden = !viewer.canActivateAR;
  });
  $("viewer").replaceChildren(viewer);
  $("image").hidden = true;
}

show();
