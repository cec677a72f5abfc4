//! The REST half of the protocol: a typed client for the routes `field` uses, with a timeout on every call.
//!
//! Only `hotline-protocol` types cross the wire. Plain HTTP: TLS belongs to the deployment's reverse proxy.

use std::time::Duration;

use hotline_protocol::{
    Attachment, AttachmentEnvelope, CatalogueInfo, ErrorBody, Event, EventList, LoginRequest, LoginResponse,
    NewRequest, Request, RequestEnvelope, RequestList, SearchResult,
};
use serde::de::DeserializeOwned;

use crate::error::{ClientError, Result};
use crate::session::Session;

/// Time to open a TCP connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Whole-call limit of an ordinary REST call.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// Whole-call limit of a photo upload (a shrunk photo is a few hundred kB, but links are slow).
pub const UPLOAD_TIMEOUT: Duration = Duration::from_secs(180);
/// Longest silence while a bundle downloads.
pub const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// A REST client for one server, signed in or not.
#[derive(Debug, Clone)]
pub struct HotlineApi {
    http: reqwest::Client,
    server: String,
    token: Option<String>,
}

/// Checks and normalises a server URL given on the command line.
pub fn normalise_server(url: &str) -> Result<String> {
    let url = url.trim().trim_end_matches('/');
    if url.starts_with("https://") {
        return Err(ClientError::Protocol(
            "this build of field speaks plain HTTP; point it at http://… (TLS is terminated by the deployment's reverse proxy on the officer's network)".into(),
        ));
    }
    if !url.starts_with("http://") || url.len() <= "http://".len() {
        return Err(ClientError::Protocol(format!("{url:?} is not a server URL; give it as http://HOST:PORT")));
    }
    Ok(url.to_string())
}

impl HotlineApi {
    /// A client for `server` (already normalised), with `token` when signed in.
    pub fn new(server: &str, token: Option<String>) -> Result<HotlineApi> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .user_agent(concat!("field/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Protocol(format!("HTTP client: {e}")))?;
        Ok(HotlineApi { http, server: server.to_string(), token })
    }

    /// A client signed in with the session's token.
    pub fn for_session(session: &Session) -> Result<HotlineApi> {
        HotlineApi::new(&session.server, Some(session.token.clone()))
    }

    /// The server's base URL.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The WebSocket URL of the server.
    pub fn ws_url(&self) -> String {
        format!("{}/api/v1/ws", self.server.replacen("http://", "ws://", 1))
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.server)
    }

    fn authorised(&self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    /// Maps a transport failure to `Offline`.
    pub fn offline(&self, error: &reqwest::Error) -> ClientError {
        let reason = if error.is_timeout() {
            "timed out".to_string()
        } else if error.is_connect() {
            "no connection".to_string()
        } else {
            "connection lost".to_string()
        };
        ClientError::Offline { server: self.server.clone(), reason }
    }

    /// Sends a request; any non-2xx (other than 304) becomes the matching error.
    async fn send(&self, builder: reqwest::RequestBuilder) -> Result<reqwest::Response> {
        let response = self.authorised(builder).send().await.map_err(|e| self.offline(&e))?;
        let status = response.status();
        if status.is_success() || status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(response);
        }
        let code = status.as_u16();
        let body = response.bytes().await.unwrap_or_default();
        let detail = serde_json::from_slice::<ErrorBody>(&body).ok().map(|b| b.error);
        let message = detail.as_ref().map(|d| d.message.clone()).unwrap_or_else(|| status.to_string());
        Err(match code {
            401 => ClientError::Unauthorised,
            500.. => ClientError::ServerFailed { status: code, message },
            _ => ClientError::Rejected {
                status: code,
                code: detail.map(|d| d.code).unwrap_or_else(|| "http_error".into()),
                message,
            },
        })
    }

    async fn json<T: DeserializeOwned>(&self, builder: reqwest::RequestBuilder) -> Result<T> {
        let response = self.send(builder).await?;
        let bytes = response.bytes().await.map_err(|e| self.offline(&e))?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Protocol(e.to_string()))
    }

    /// POST /api/v1/auth/login
    pub async fn login(&self, username: &str, password: &str) -> Result<LoginResponse> {
        let body = LoginRequest { username: username.into(), password: password.into() };
        self.json(self.http.post(self.url("/auth/login")).json(&body).timeout(CALL_TIMEOUT)).await
    }

    /// POST /api/v1/requests (idempotent on `client_request_id`).
    pub async fn create_request(&self, new: &NewRequest) -> Result<Request> {
        let envelope: RequestEnvelope =
            self.json(self.http.post(self.url("/requests")).json(new).timeout(CALL_TIMEOUT)).await?;
        Ok(envelope.request)
    }

    /// POST /api/v1/requests/{id}/attachments, one multipart part `file`, with the photo's own id as its
    /// `Idempotency-Key`: a retry after a lost answer gets the photo stored the first time, not a second copy.
    pub async fn upload_photo(
        &self,
        request_id: &str,
        file_name: &str,
        jpeg: Vec<u8>,
        client_photo_id: &str,
    ) -> Result<Attachment> {
        let part = reqwest::multipart::Part::bytes(jpeg)
            .file_name(file_name.to_string())
            .mime_str("image/jpeg")
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        let form = reqwest::multipart::Form::new().part("file", part);
        let url = self.url(&format!("/requests/{request_id}/attachments"));
        let envelope: AttachmentEnvelope = self
            .json(
                self.http.post(url).header("idempotency-key", client_photo_id).multipart(form).timeout(UPLOAD_TIMEOUT),
            )
            .await?;
        Ok(envelope.attachment)
    }

    /// GET /api/v1/requests
    pub async fn requests(&self) -> Result<Vec<Request>> {
        let list: RequestList = self.json(self.http.get(self.url("/requests")).timeout(CALL_TIMEOUT)).await?;
        Ok(list.requests)
    }

    /// GET /api/v1/requests/{id}
    pub async fn request(&self, id: &str) -> Result<Request> {
        let envelope: RequestEnvelope =
            self.json(self.http.get(self.url(&format!("/requests/{id}"))).timeout(CALL_TIMEOUT)).await?;
        Ok(envelope.request)
    }

    /// GET /api/v1/requests/{id}/events, every page.
    pub async fn all_events(&self, id: &str) -> Result<Vec<Event>> {
        let mut events: Vec<Event> = Vec::new();
        loop {
            let after = events.last().map_or(0, |e| e.seq);
            let url = self.url(&format!("/requests/{id}/events"));
            let page: EventList = self
                .json(self.http.get(url).query(&[("after_seq", after), ("limit", 1000)]).timeout(CALL_TIMEOUT))
                .await?;
            if page.events.is_empty() {
                return Ok(events);
            }
            events.extend(page.events);
        }
    }

    /// GET /api/v1/search
    pub async fn search(
        &self,
        query: &str,
        limit: u16,
        kind: Option<&str>,
        category: Option<&str>,
    ) -> Result<SearchResult> {
        let mut params = vec![("q", query.to_string()), ("limit", limit.to_string())];
        params.extend(kind.map(|k| ("kind", k.to_string())));
        params.extend(category.map(|c| ("category", c.to_string())));
        self.json(self.http.get(self.url("/search")).query(&params).timeout(CALL_TIMEOUT)).await
    }

    /// GET /api/v1/catalogue
    pub async fn catalogue(&self) -> Result<CatalogueInfo> {
        self.json(self.http.get(self.url("/catalogue")).timeout(CALL_TIMEOUT)).await
    }

    /// GET /api/v1/catalogue/bundle with `If-None-Match: "<version>"`: `None` on 304, else the streaming response.
    /// No whole-call timeout (a bundle is megabytes on a slow link); a silence of [`READ_TIMEOUT`] ends it.
    pub async fn bundle(&self, have_version: Option<&str>) -> Result<Option<reqwest::Response>> {
        let mut builder = self.http.get(self.url("/catalogue/bundle"));
        if let Some(version) = have_version {
            builder = builder.header(reqwest::header::IF_NONE_MATCH, format!("\"{version}\""));
        }
        let response = self.send(builder).await?;
        if response.status() == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        Ok(Some(response))
    }

    /// The bearer token, for the WebSocket upgrade.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }
}
