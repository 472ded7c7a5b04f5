//! The OpenAPI 3 document, generated from the handlers' annotations and the wire types.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{admin, inventory, meta, policy, resources, sessions, tokens};

#[derive(OpenApi)]
#[openapi(
    info(title = "Keebai backend", version = "1", description = "Tenants, roles, sign-in sessions and personal access tokens. The contract is docs/api.md in the repository. Answers to requests made with a personal access token carry Keebai-Token-Expires (RFC 3339, absent when it never expires) and Keebai-Token-Scopes (its effective permissions, comma-separated); a 403 for a missing permission adds Keebai-Required-Permission."),
    paths(
        meta::healthz, meta::openapi,
        sessions::create, sessions::delete_current, sessions::me,
        admin::permissions, admin::roles, admin::create_role, admin::update_role,
        admin::users, admin::create_user, admin::update_user, admin::set_user_roles, admin::audit_events,
        tokens::list, tokens::create, tokens::get, tokens::usage, tokens::revoke,
        tokens::rotate, tokens::get_self, tokens::rotate_self,
        inventory::list, inventory::revoke, inventory::bulk_revoke,
        policy::get, policy::put,
        resources::list, resources::post,
    ),
    modifiers(&BearerAuth, &CommonErrors),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("kbai_sess_… or kbai_pk_…")
                    .build(),
            ),
        );
    }
}

/// Documents the error answers every operation can give, so the document matches what the
/// middleware really sends: malformed requests (400), bodies over the limit (413), a wrong
/// content type (415), invalid fields (422), internal errors (500) and unavailability (503).
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let error = |what: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(what)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        };
        for item in doc.paths.paths.values_mut() {
            let ops = [
                item.get.as_mut(),
                item.post.as_mut(),
                item.put.as_mut(),
                item.delete.as_mut(),
            ];
            for op in ops.into_iter().flatten() {
                let has_body = op.request_body.is_some();
                let authenticated = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let responses = &mut op.responses.responses;
                let mut add = |code: &str, what: &str| {
                    responses
                        .entry(code.to_owned())
                        .or_insert_with(|| error(what));
                };
                add("400", "malformed request, or a credential in the URL");
                add("500", "internal error (no detail is ever given)");
                add("503", "the service is unavailable or timed out");
                if has_body {
                    add("413", "the body is over 64 KiB");
                    add("415", "the body is not application/json");
                    add("422", "a field is missing, unknown or invalid");
                }
                if authenticated {
                    token_headers(responses);
                }
            }
        }
    }
}

/// The headers every answer to a PAT-authenticated request carries (`super::pat_answers`).
fn token_headers(
    responses: &mut std::collections::BTreeMap<
        String,
        utoipa::openapi::RefOr<utoipa::openapi::Response>,
    >,
) {
    use utoipa::openapi::{header::HeaderBuilder, ObjectBuilder, RefOr, Type};
    let header = |text: &str| {
        HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::String))
            .description(Some(text))
            .build()
    };
    for (code, response) in responses.iter_mut() {
        let RefOr::T(r) = response else { continue };
        if code == "401" {
            continue;
        }
        r.headers.insert(
            "Keebai-Token-Expires".into(),
            header("With a personal access token: when it expires (RFC 3339, UTC); absent when it never does. Not sent to sessions."),
        );
        r.headers.insert(
            "Keebai-Token-Scopes".into(),
            header("With a personal access token: its effective permissions now (its scopes ∩ its user's), comma-separated. Not sent to sessions."),
        );
        if code == "403" {
            r.headers.insert(
                "Keebai-Required-Permission".into(),
                header("With a personal access token refused for a missing permission: the permission it needed."),
            );
        }
    }
}
