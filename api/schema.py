"""OpenAPI extensions: the client-credentials authentication in the document."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ClientAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ClientAuthentication"
    name = "oauth2"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/api/v1/oauth/token",
                    "scopes": {
                        "students:read": "Studenten lezen",
                        "administration:write": "Administratie schrijven",
                        "referrals": "Verwijzingen",
                        "signals": "Signalen",
                        "meetings": "Doorstroomtafel",
                        "notifications": "Meldingen",
                    },
                }
            },
        }

    def get_security_requirement(self, auto_schema):
        scope = getattr(auto_schema.view, "required_scope", None)
        return {self.name: [scope] if scope else []}
