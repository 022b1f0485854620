"""Authentication and authorisation from the operation's ``security`` (OpenAPI 3.1 §4.8.30).

``security`` is a list of alternatives (any one may be satisfied); each alternative lists schemes
that must all be satisfied, each with the scopes it needs. The answer follows RFC 6750 §3 and
RFC 9110 §15.5.2/§15.5.4:

* no usable credential -> 401 with a ``Bearer`` challenge without error code;
* a credential that is invalid (expired, bad signature, unknown key...) -> 401 ``invalid_token``;
* a valid credential without the required scopes -> 403 ``insufficient_scope`` with the scopes.
"""

from __future__ import annotations

from accord.policy import SecurityScheme
from accord.policy.validate import Violation
from accord_gateway.auth import ApiKeys, ClientCertificates, InvalidToken, JwtVerifier, Principal
from accord_gateway.exchange import Exchange, Handler, Response
from accord_gateway.metrics import Metrics
from accord_gateway.problem import problem


class InvalidCertificate(InvalidToken):
    """A client certificate the TLS handshake accepted that belongs to no configured client."""


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


class AuthMiddleware:
    def __init__(
        self,
        app: Handler,
        metrics: Metrics,
        *,
        api_keys: ApiKeys,
        verifier: JwtVerifier | None,
        realm: str = "accord",
        certificates: ClientCertificates | None = None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.api_keys = api_keys
        self.certificates = certificates or ClientCertificates([])
        self.verifier = verifier
        self.realm = realm

    async def __call__(self, ex: Exchange) -> Response:
        policy = ex.policy
        assert policy is not None
        if not policy.auth:
            ex.decisions["auth"] = "public"
            return await self.app(ex)
        found: dict[str, Principal | InvalidToken | None] = {}
        missing_scopes: tuple[str, ...] | None = None
        missing_bearer = False
        invalid: InvalidToken | None = None
        invalid_bearer = False
        for requirement in policy.auth:
            if requirement.anonymous:
                ex.client_id = None
                ex.decisions["auth"] = "anonymous"
                return await self.app(ex)
            principal: Principal | None = None
            satisfied = True
            for scheme, scopes in requirement.schemes:
                credential = await self._credential(ex, scheme, found)
                if isinstance(credential, InvalidToken):
                    invalid = invalid or credential
                    invalid_bearer = invalid_bearer or scheme.bearer
                    satisfied = False
                    break
                if credential is None:
                    satisfied = False
                    break
                if scopes and not credential.scopes.issuperset(scopes):
                    if missing_scopes is None:
                        missing_scopes, missing_bearer = scopes, scheme.bearer
                    satisfied = False
                    break
                principal = principal or credential
            if satisfied and principal is not None:
                ex.client_id = principal.client_id
                ex.scopes = principal.scopes
                ex.decisions["auth"] = principal.method
                return await self.app(ex)
        return self._refuse(ex, missing_scopes, missing_bearer, invalid, invalid_bearer)

    async def _credential(
        self, ex: Exchange, scheme: SecurityScheme, found: dict[str, Principal | InvalidToken | None]
    ) -> Principal | InvalidToken | None:
        if scheme.type == "mutualTLS":
            return self._certificate(ex)
        bearer = scheme.bearer
        cache_key = "bearer" if bearer else f"{scheme.location}:{scheme.parameter}"
        if cache_key in found:
            return found[cache_key]
        result: Principal | InvalidToken | None
        if bearer:
            known = self._bearer(ex)
            if isinstance(known, str):  # a token not verified before: check its signature
                assert self.verifier is not None
                try:
                    result = await self.verifier.verify(known)
                except InvalidToken as exc:
                    result = exc
            else:
                result = known
        else:
            result = self._api_key(ex, scheme)
        found[cache_key] = result
        return result

    def _bearer(self, ex: Exchange) -> Principal | InvalidToken | str | None:
        """The principal of a token verified before, or the token (str) still to verify."""
        header = ex.headers.get(b"authorization")
        if header is None:
            return None
        scheme, _, token = header.decode("latin-1").partition(" ")
        if scheme.lower() != "bearer":
            return None
        token = token.strip()
        if not token or " " in token:
            return InvalidToken("the Authorization header is not 'Bearer <token>'")
        if self.verifier is None:
            return InvalidToken("bearer tokens are not accepted here (no JWKS configured)")
        return self.verifier.cached(token) or token

    def _certificate(self, ex: Exchange) -> Principal | InvalidToken | None:
        """OpenAPI ``mutualTLS``: the TLS handshake verified the certificate against the client CA;
        here it must also belong to a configured client (by fingerprint)."""
        tls = ex.scope.get("extensions", {}).get("tls")
        fingerprint = tls.get("client_cert_sha256") if isinstance(tls, dict) else None
        if not fingerprint:
            return None
        principal = self.certificates.lookup(fingerprint)
        if principal is None:
            return InvalidCertificate("the client certificate does not belong to a configured client")
        return principal

    def _api_key(self, ex: Exchange, scheme: SecurityScheme) -> Principal | InvalidToken | None:
        name = scheme.parameter or ""
        if scheme.location == "header":
            raw = ex.headers.get(name.lower().encode("latin-1"))
            value = raw.decode("latin-1") if raw is not None else None
        elif scheme.location == "query":
            values = ex.query.get(name)
            value = values[0] if values else None
        else:
            value = ex.cookies.get(name)
        if value is None:
            return None
        principal = self.api_keys.lookup(value)
        return principal if principal is not None else InvalidToken("the API key is not valid")

    def _challenges(self, ex: Exchange, bearer_params: str) -> bytes:
        policy = ex.policy
        assert policy is not None
        schemes = [scheme for requirement in policy.auth for scheme, _ in requirement.schemes]
        parts: list[str] = []
        if any(s.bearer for s in schemes):
            parts.append(f'Bearer realm="{_quote(self.realm)}"{bearer_params}')
        for scheme in schemes:
            if scheme.api_key:
                challenge = f'ApiKey realm="{_quote(self.realm)}", in="{scheme.location}", name="{_quote(scheme.parameter or "")}"'
            elif scheme.type == "mutualTLS":  # no registered scheme says "present a certificate"
                challenge = f'MutualTLS realm="{_quote(self.realm)}"'
            else:
                continue
            if challenge not in parts:
                parts.append(challenge)
        return ", ".join(parts).encode("latin-1", "replace")

    def _refuse(
        self,
        ex: Exchange,
        missing_scopes: tuple[str, ...] | None,
        missing_bearer: bool,
        invalid: InvalidToken | None,
        invalid_bearer: bool,
    ) -> Response:
        if missing_scopes is not None:
            self.metrics.rejected("auth", "insufficient_scope")
            ex.decisions["auth"] = "insufficient_scope"
            scope_text = " ".join(missing_scopes)
            headers = []
            if missing_bearer:
                params = f', error="insufficient_scope", scope="{_quote(scope_text)}"'
                headers.append((b"www-authenticate", self._challenges(ex, params)))
            return problem(
                ex,
                403,
                "forbidden",
                f"The credential does not grant the required scope ({scope_text}).",
                errors=[
                    Violation(
                        "/header/Authorization", f"scope {scope_text} is required", "insufficient_scope"
                    )
                ],
                headers=headers,
            )
        if invalid is not None:
            self.metrics.rejected("auth", "invalid_credential")
            ex.decisions["auth"] = (
                "invalid_token"
                if invalid_bearer
                else "invalid_certificate"
                if isinstance(invalid, InvalidCertificate)
                else "invalid_api_key"
            )
            description = str(invalid)
            params = (
                f', error="invalid_token", error_description="{_quote(description)}"'
                if invalid_bearer
                else ""
            )
            return problem(
                ex,
                401,
                "unauthorized",
                f"The credential is not valid: {description}.",
                headers=[(b"www-authenticate", self._challenges(ex, params))],
            )
        self.metrics.rejected("auth", "missing_credential")
        ex.decisions["auth"] = "missing"
        return problem(
            ex,
            401,
            "unauthorized",
            "This operation requires authentication.",
            headers=[(b"www-authenticate", self._challenges(ex, ""))],
        )
