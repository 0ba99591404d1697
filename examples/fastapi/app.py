"""The api's token contract as a FastAPI app: a `CurrentUser` dependency that verifies the web's
access token with PyJWT (docs/TOKENS.md), in the mode ACCESS_TOKEN_ALG names. HS256: the key its kid
names, HKDF-derived from the shared secret. EdDSA: the web's public Ed25519 key its kid names, from
the JWKS (JWKS_URL) through PyJWT's PyJWKClient, with no secret at all. Either way one algorithm
only; no crit header; iss/aud/exp/sub/sid required; iat a NumericDate; exp - iat within
JWT_TTL_SECONDS; clock skew; and the /api/{user_id}/... ownership rule. Same answers as the api,
except for a token whose session has ended: see README.md."""
import json, math, os, re, threading, time, urllib.request
from urllib.parse import urlsplit
import jwt  # PyJWT >= 2
from jwt.utils import base64url_decode
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

origin = lambda url: "{0.scheme}://{0.netloc}".format(urlsplit(url))
derive = lambda secret: HKDF(algorithm=hashes.SHA256(), length=32, salt=b"", info=b"authbridge api access token v1").derive(secret.encode())
ALG = os.environ.get("ACCESS_TOKEN_ALG") or "HS256"
if ALG not in ("HS256", "EdDSA"): raise SystemExit("ACCESS_TOKEN_ALG must be one of HS256, EdDSA")
ISSUER, AUDIENCE = origin(os.environ["BETTER_AUTH_URL"]), origin(os.environ["API_URL"])

class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs): return None  # the configured origin only: a redirect is a failed fetch

class JwksKeys(jwt.PyJWKClient):
    """PyJWKClient with the api's fetching rules: no redirects, a failed fetch keeps the keys already
    held (the web may be away for a moment), and an unknown kid refetches at most once per cooldown."""
    def __init__(self, uri: str, cooldown: float, max_age: int):
        super().__init__(uri, cache_jwk_set=True, lifespan=max_age)
        self.cooldown, self.last_fetch, self.held, self.lock = cooldown, -math.inf, None, threading.Lock()
        self.opener = urllib.request.build_opener(NoRedirects)
    def fetch_data(self):
        self.last_fetch = time.monotonic()
        try:
            with self.opener.open(self.uri, timeout=5) as response: self.held = json.load(response)
        except Exception:
            if self.held is None: raise jwt.PyJWKClientError("JWKS unreachable")
        self.jwk_set_cache.put(self.held)
        return self.held
    def get_jwk_set(self, refresh: bool = False):
        with self.lock:  # a refresh for an unknown kid only once the cooldown has passed
            return super().get_jwk_set(refresh and time.monotonic() - self.last_fetch >= self.cooldown)

if ALG == "HS256":
    # By kid: BETTER_AUTH_SECRETS="2:<secret>,1:<secret>" (Better Auth's format), or a lone BETTER_AUTH_SECRET as "1".
    VERSIONS = [entry.split(":", 1) for entry in os.environ.get("BETTER_AUTH_SECRETS", "").split(",") if entry.strip()]
    KEYS = {v.strip(): derive(s.strip()) for v, s in VERSIONS} or {"1": derive(os.environ["BETTER_AUTH_SECRET"])}
else:
    JWKS = JwksKeys(os.environ.get("JWKS_URL") or f"{ISSUER}/api/auth/jwks", int(os.environ.get("JWKS_COOLDOWN_SECONDS", "5")),
                    int(os.environ.get("JWKS_MAX_AGE_SECONDS", "300")))
LEEWAY = int(os.environ.get("JWT_CLOCK_TOLERANCE_SECONDS", "5"))
TTL = int(os.environ.get("JWT_TTL_SECONDS", "900"))
COMPACT_JWS, CONTROL = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"), re.compile(r"[\x00-\x1f\x7f]")

class Refused(Exception):
    def __init__(self, status: int, code: str, message: str, challenge: str | None = None):
        self.status, self.code, self.message, self.challenge = status, code, message, challenge

def unauthorized(description: str | None = None) -> Refused:
    if description is None:
        return Refused(401, "unauthorized", "a bearer token is required", 'Bearer realm="api"')
    return Refused(401, "unauthorized", description, f'Bearer realm="api", error="invalid_token", error_description="{description}"')

def hs256_key(header: dict) -> bytes:
    kid = header.get("kid")
    if kid is None and len(KEYS) == 1: kid = next(iter(KEYS))  # only a lone key may do without kid
    if not isinstance(kid, str) or kid not in KEYS: raise unauthorized("invalid token")
    return KEYS[kid]

def eddsa_key(header: dict) -> Ed25519PublicKey:
    # Pinned before any lookup: another alg never costs a fetch, nor reaches a key.
    if header.get("alg") != "EdDSA" or not isinstance(header.get("kid"), str) or not header["kid"]: raise unauthorized("invalid token")
    try: key = JWKS.get_signing_key(header["kid"]).key
    except (jwt.PyJWKClientError, jwt.PyJWKSetError): raise unauthorized("invalid token")
    if not isinstance(key, Ed25519PublicKey): raise unauthorized("invalid token")  # EdDSA also means Ed448: not ours
    return key

def verify(token: str) -> str:
    if len(token) > 4096: raise unauthorized("token too large")
    if not COMPACT_JWS.fullmatch(token): raise unauthorized("malformed token")
    try: header = json.loads(base64url_decode(token.split(".")[0]))  # PyJWT's reader would call a bad kid malformed
    except ValueError: raise unauthorized("malformed token")
    if not isinstance(header, dict): raise unauthorized("malformed token")
    if "crit" in header: raise unauthorized("invalid token")  # RFC 7515: unknown extensions must be refused; none is known
    key = hs256_key(header) if ALG == "HS256" else eddsa_key(header)
    try:  # iat is checked below: PyJWT would call a future iat "not yet valid", the api calls it invalid
        claims = jwt.decode(token, key, algorithms=[ALG], issuer=ISSUER, audience=AUDIENCE, leeway=LEEWAY,
                            options={"require": ["sub", "sid", "exp", "iss", "aud"], "verify_iat": False})
    except jwt.ExpiredSignatureError: raise unauthorized("token expired")
    except jwt.ImmatureSignatureError: raise unauthorized("token not yet valid")
    except jwt.InvalidTokenError: raise unauthorized("invalid token")
    sub, exp = claims["sub"], claims["exp"]
    numeric = lambda value: isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    sane = lambda value: isinstance(value, str) and 0 < len(value) <= 255 and not CONTROL.search(value)
    if not sane(sub) or not sane(claims["sid"]): raise unauthorized("invalid token")
    if not numeric(exp) or not isinstance(claims["aud"], str): raise unauthorized("invalid token")
    if "iat" in claims and not numeric(claims["iat"]): raise unauthorized("invalid token")  # null too: present, not a NumericDate
    iat = claims.get("iat", time.time())  # no iat: the lifetime counts from now
    if iat > time.time() + LEEWAY or exp - iat > TTL + LEEWAY: raise unauthorized("invalid token")
    return sub

def current_user(request: Request) -> str:
    headers = request.headers.getlist("authorization")
    if len(headers) > 1: raise unauthorized("multiple authorization headers")
    scheme, _, token = (headers or [""])[0].partition(" ")
    if scheme.lower() != "bearer": raise unauthorized()
    if not token.lstrip(): raise unauthorized("malformed token")
    return verify(token.lstrip())

CurrentUser = Depends(current_user)  # FastAPI < 0.95 (Debian 12) has no Annotated dependencies

def owner(user_id: str, user: str = CurrentUser) -> str:
    if user_id != user: raise Refused(403, "forbidden", "this resource belongs to another user")
    return user

app = FastAPI()

@app.exception_handler(Refused)
def refused(_request: Request, error: Refused) -> JSONResponse:
    headers = {"WWW-Authenticate": error.challenge} if error.challenge else None
    return JSONResponse({"error": {"code": error.code, "message": error.message}}, error.status, headers)

@app.get("/api/whoami")
def whoami(user: str = CurrentUser): return {"userId": user}

@app.get("/api/{user_id}/tasks")
def tasks(user: str = Depends(owner)): return {"tasks": [], "nextCursor": None}  # no database here: the rule is the point
