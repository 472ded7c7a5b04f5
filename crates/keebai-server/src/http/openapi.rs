//! The OpenAPI 3 document, generated from the handlers' annotations and the wire types.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{admin, meta, resources, sessions, tokens};

#[derive(OpenApi)]
#[openapi(
    info(title = "Keebai backend", version = "1", description = "Tenants, roles, sign-in sessions and personal access tokens. See shared/design/api-contract.md."),
    paths(
        meta::healthz, meta::openapi,
        sessions::create, sessions::delete_current, sessions::me,
        admin::permissions, admin::roles, admin::create_role, admin::update_role,
        admin::users, admin::create_user, admin::set_user_roles, admin::audit_events,
        tokens::list, tokens::create, tokens::get, tokens::revoke,
        resources::list, resources::post,
    ),
    modifiers(&BearerAuth),
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
