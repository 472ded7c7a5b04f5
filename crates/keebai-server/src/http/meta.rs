//! `/healthz` and `/v1/openapi.json`.

use axum::Json;
use keebai_api::wire::Health;
use utoipa::OpenApi;

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "meta", operation_id = "healthz", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

/// This API as an OpenAPI 3 document.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "meta", operation_id = "get_openapi", responses((status = 200, description = "OpenAPI 3 document", content_type = "application/json")))]
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(super::openapi::ApiDoc::openapi())
}
