// The REST helper shared by the expert console and the review pages (served to each as its own asset, so each
// page keeps its own Content-Security-Policy): `api()` fetches a JSON route of /api/v1 with the HttpOnly session
// cookie (the page never sees the token) and turns an error answer into an `ApiError`.

/** An error answer of the API: `status`, stable `code` and a human `message`. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * `fetch` a JSON route of /api/v1; resolves with the parsed body (null for 204), rejects with an ApiError (status
 * 0 when the server cannot be reached). An aborted request (`signal`) rejects with the AbortError itself.
 */
export async function api(path, { method = "GET", body, signal } = {}) {
  const options = { method, credentials: "same-origin", headers: { Accept: "application/json" }, signal };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`/api/v1${path}`, options);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "network", "The server cannot be reached; check the network.");
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const detail = data && data.error ? data.error : { code: "http_" + response.status, message: response.statusText };
    throw new ApiError(response.status, detail.code, detail.message || detail.code);
  }
  return data;
}
