// Security keys (WebAuthn) for staff sign-in and registration. The only script staff
// pages use; everything else works without JavaScript.
(function () {
  "use strict";

  function b64urlToBuf(value) {
    var pad = "=".repeat((4 - (value.length % 4)) % 4);
    var raw = atob((value + pad).replace(/-/g, "+").replace(/_/g, "/"));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out.buffer;
  }

  function bufToB64url(buf) {
    var bytes = new Uint8Array(buf), text = "";
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function csrfToken(scope) {
    var input = scope.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, scope, fields) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken(scope));
    Object.keys(fields || {}).forEach(function (k) { body.append(k, fields[k]); });
    return fetch(url, { method: "POST", body: body, credentials: "same-origin" });
  }

  function showError(scope, message) {
    var el = scope.querySelector("[data-webauthn-error]");
    if (el) { el.textContent = message; el.hidden = false; }
  }

  function descriptors(list) {
    return (list || []).map(function (c) { return { type: c.type, id: b64urlToBuf(c.id), transports: c.transports }; });
  }

  function login(scope) {
    post(scope.dataset.options, scope).then(function (r) { return r.json(); }).then(function (opts) {
      if (opts.error) throw new Error(opts.error);
      return navigator.credentials.get({ publicKey: {
        challenge: b64urlToBuf(opts.challenge), rpId: opts.rpId, timeout: opts.timeout,
        allowCredentials: descriptors(opts.allowCredentials), userVerification: opts.userVerification
      } });
    }).then(function (cred) {
      var payload = { id: cred.id, rawId: bufToB64url(cred.rawId), type: cred.type, response: {
        clientDataJSON: bufToB64url(cred.response.clientDataJSON),
        authenticatorData: bufToB64url(cred.response.authenticatorData),
        signature: bufToB64url(cred.response.signature),
        userHandle: cred.response.userHandle ? bufToB64url(cred.response.userHandle) : null
      } };
      return post(scope.dataset.finish, scope, { credential: JSON.stringify(payload) });
    }).then(function (r) { return r.json(); }).then(function (result) {
      if (result.redirect) { window.location.assign(result.redirect); } else { throw new Error(result.error); }
    }).catch(function (err) { showError(scope, err.message || String(err)); });
  }

  function register(form) {
    post(form.dataset.options, form).then(function (r) {
      if (r.redirected) { window.location.assign(r.url); throw new Error("…"); }
      return r.json();
    }).then(function (opts) {
      return navigator.credentials.create({ publicKey: {
        rp: opts.rp, challenge: b64urlToBuf(opts.challenge), pubKeyCredParams: opts.pubKeyCredParams,
        timeout: opts.timeout, attestation: opts.attestation, authenticatorSelection: opts.authenticatorSelection,
        user: { id: b64urlToBuf(opts.user.id), name: opts.user.name, displayName: opts.user.displayName },
        excludeCredentials: descriptors(opts.excludeCredentials)
      } });
    }).then(function (cred) {
      var payload = { id: cred.id, rawId: bufToB64url(cred.rawId), type: cred.type, response: {
        clientDataJSON: bufToB64url(cred.response.clientDataJSON),
        attestationObject: bufToB64url(cred.response.attestationObject),
        transports: cred.response.getTransports ? cred.response.getTransports() : []
      } };
      form.querySelector("input[name=credential]").value = JSON.stringify(payload);
      form.submit();
    }).catch(function (err) { showError(form, err.message || String(err)); });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-webauthn]");
    if (!button) return;
    if (!window.PublicKeyCredential) {
      var scope = button.closest("[data-options]");
      showError(scope, scope.dataset.unsupported || "");
      return;
    }
    if (button.dataset.webauthn === "login") login(button.closest("#webauthn-login"));
    if (button.dataset.webauthn === "register") register(button.closest("form"));
  });
})();
