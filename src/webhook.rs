//! The webhook HTTP surface around teloxide's axum listener: a 403 for requests without the
//! right secret (Telegram's own listener answers 401), and `GET /healthz`.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::bot::Ctx;

pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// The largest update body accepted; Telegram's are a few KiB.
const MAX_UPDATE_BYTES: usize = 1 << 20;

/// Layers run outside in: the secret is checked first, then the update is stored, then
/// teloxide's handler queues it and answers 200.
pub fn wrap(router: Router, secret: Arc<String>, ctx: Ctx) -> Router {
    router
        .layer(middleware::from_fn(
            move |req: Request<Body>, next: Next| {
                let ctx = ctx.clone();
                async move { store_first(&ctx, req, next).await }
            },
        ))
        .layer(middleware::from_fn(
            move |req: Request<Body>, next: Next| {
                let secret = secret.clone();
                async move { check_secret(&secret, req, next).await }
            },
        ))
        .route("/healthz", get(|| async { "ok" }))
}

/// Stores the update in the inbox before Telegram hears 200: a process killed after that
/// still has it. If the database cannot take it, Telegram is told to deliver it again (500).
async fn store_first(ctx: &Ctx, req: Request<Body>, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_UPDATE_BYTES).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let update_id = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("update_id").and_then(serde_json::Value::as_i64));
    let Some(update_id) = update_id else {
        // Not an update: acknowledged so Telegram does not retry it forever, and not handled.
        tracing::warn!("webhook body without an update_id ignored");
        return StatusCode::OK.into_response();
    };
    let body = String::from_utf8_lossy(&bytes);
    if let Err(err) = ctx.store.inbox_put(update_id, &body, ctx.now()).await {
        tracing::error!(update_id, error = %err, "cannot store update; asking for redelivery");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
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
