"""Tells drf-spectacular how ApiKeyAuthentication looks in OpenAPI: HTTP bearer."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apikeys.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "ep-<prefix>-<secret>",
            "description": "An API key from the admin or `manage.py create_api_key`, sent as "
            "`Authorization: Bearer <key>`.",
        }
