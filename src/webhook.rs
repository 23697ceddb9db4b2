//! The webhook HTTP surface around teloxide's axum listener: a 403 for requests without the
//! right secret (Telegram's own listener answers 401), and `GET /healthz`.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

pub fn wrap(router: Router, secret: Arc<String>) -> Router {
    router
        .layer(middleware::from_fn(
            move |req: Request<Body>, next: Next| {
                let secret = secret.clone();
                async move { check_secret(&secret, req, next).await }
            },
        ))
        .route("/healthz", get(|| async { "ok" }))
}

async fn check_secret(secret: &str, req: Request<Body>, next: Next) -> Response {
    if req.method() == Method::POST {
        let given = req.headers().get(SECRET_HEADER).map(|v| v.as_bytes());
        if !given.is_some_and(|g| constant_time_eq(g, secret.as_bytes())) {
            tracing::warn!("webhook request without the right secret token");
            return StatusCode::FORBIDDEN.into_response();
        }
    }
    next.run(req).await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
