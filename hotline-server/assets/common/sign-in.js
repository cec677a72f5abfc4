// The sign-in form shared by the expert console and the review pages. Both pages use the same ids for it:
// #login-form, #login-username, #login-password, #login-submit and #login-error (a text-only message).

import { api } from "./http.js";

const $ = (id) => document.getElementById(id);

/** POST /auth/logout; resolves either way (the session may already be gone). */
export function endSession() {
  return api("/auth/logout", { method: "POST" }).catch(() => null);
}

/**
 * The sign-in form's submit handler: posts the credentials, then either calls `onSignedIn(user)` or, for an
 * account whose role `allowed(role)` refuses, ends that session again and shows `refusal`.
 */
export function signInHandler({ allowed, refusal, onSignedIn }) {
  return async (event) => {
    event.preventDefault();
    $("login-error").textContent = "";
    $("login-submit").disabled = true;
    try {
      const answer = await api("/auth/login", {
        method: "POST",
        body: { username: $("login-username").value.trim(), password: $("login-password").value },
      });
      $("login-password").value = "";
      if (!allowed(answer.user.role)) {
        await endSession();
        $("login-error").textContent = refusal;
        return;
      }
      onSignedIn(answer.user);
    } catch (error) {
      $("login-error").textContent = error.message;
    } finally {
      $("login-submit").disabled = false;
    }
  };
}
