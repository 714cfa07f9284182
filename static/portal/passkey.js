// Passkeys (WebAuthn) for Mijn Koers: registration on the invitation page, sign-in on
// the sign-in page. The server sends the options as JSON (base64url for binary fields).
(function () {
  "use strict";

  function toBytes(value) {
    const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  function toBase64url(buffer) {
    const bytes = new Uint8Array(buffer);
    let text = "";
    bytes.forEach((b) => { text += String.fromCharCode(b); });
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function csrf() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: body ? JSON.stringify(body) : "{}",
    });
    const data = await response.json();
    if (!response.ok) { throw new Error(data.error || "refused"); }
    return data;
  }

  function showError() {
    const error = document.getElementById("passkey-error");
    if (error) { error.hidden = false; error.focus(); }
  }

  async function register(button) {
    const options = await post(button.dataset.optionsUrl);
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    (options.excludeCredentials || []).forEach((c) => { c.id = toBytes(c.id); });
    const credential = await navigator.credentials.create({ publicKey: options });
    const result = await post(button.dataset.verifyUrl, {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: toBase64url(credential.response.clientDataJSON),
        attestationObject: toBase64url(credential.response.attestationObject),
        transports: credential.response.getTransports ? credential.response.getTransports() : [],
      },
      clientExtensionResults: credential.getClientExtensionResults(),
    });
    window.location.assign(result.redirect);
  }

  async function signIn(button) {
    const options = await post(button.dataset.optionsUrl);
    options.challenge = toBytes(options.challenge);
    (options.allowCredentials || []).forEach((c) => { c.id = toBytes(c.id); });
    const credential = await navigator.credentials.get({ publicKey: options });
    const response = credential.response;
    const result = await post(button.dataset.verifyUrl, {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: toBase64url(response.clientDataJSON),
        authenticatorData: toBase64url(response.authenticatorData),
        signature: toBase64url(response.signature),
        userHandle: response.userHandle ? toBase64url(response.userHandle) : null,
      },
      clientExtensionResults: credential.getClientExtensionResults(),
    });
    window.location.assign(result.redirect);
  }

  function wire(id, action) {
    const button = document.getElementById(id);
    if (!button) { return; }
    if (!window.PublicKeyCredential) { button.disabled = true; showError(); return; }
    button.addEventListener("click", () => {
      button.disabled = true;
      action(button).catch(() => { button.disabled = false; showError(); });
    });
  }

  wire("passkey-register", register);
  wire("passkey-signin", signIn);
})();
