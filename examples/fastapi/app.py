"""The api's token contract as a FastAPI app: a `CurrentUser` dependency that verifies the web's
access token with PyJWT (docs/TOKENS.md: the key its kid names, HKDF-derived; HS256 only; no
crit header; iss/aud/exp/sub/sid required; iat a NumericDate; exp - iat within JWT_TTL_SECONDS; clock skew) and the /api/{user_id}/... ownership rule. Same answers
as the api, except for a token whose session has ended: see README.md."""
import json, math, os, re, time
from urllib.parse import urlsplit
import jwt  # PyJWT >= 2
from jwt.utils import base64url_decode
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

origin = lambda url: "{0.scheme}://{0.netloc}".format(urlsplit(url))
derive = lambda secret: HKDF(algorithm=hashes.SHA256(), length=32, salt=b"", info=b"authbridge api access token v1").derive(secret.encode())
# By kid: BETTER_AUTH_SECRETS="2:<secret>,1:<secret>" (Better Auth's format), or a lone BETTER_AUTH_SECRET as "1".
VERSIONS = [entry.split(":", 1) for entry in os.environ.get("BETTER_AUTH_SECRETS", "").split(",") if entry.strip()]
KEYS = {v.strip(): derive(s.strip()) for v, s in VERSIONS} or {"1": derive(os.environ["BETTER_AUTH_SECRET"])}
ISSUER, AUDIENCE = origin(os.environ["BETTER_AUTH_URL"]), origin(os.environ["API_URL"])
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

def verify(token: str) -> str:
    if len(token) > 4096: raise unauthorized("token too large")
    if not COMPACT_JWS.fullmatch(token): raise unauthorized("malformed token")
    try: header = json.loads(base64url_decode(token.split(".")[0]))  # PyJWT's reader would call a bad kid malformed
    except ValueError: raise unauthorized("malformed token")
    if not isinstance(header, dict): raise unauthorized("malformed token")
    if "crit" in header: raise unauthorized("invalid token")  # RFC 7515: unknown extensions must be refused; none is known
    kid = header.get("kid")
    if kid is None and len(KEYS) == 1: kid = next(iter(KEYS))  # only a lone key may do without kid
    if not isinstance(kid, str) or kid not in KEYS: raise unauthorized("invalid token")
    try:  # iat is checked below: PyJWT would call a future iat "not yet valid", the api calls it invalid
        claims = jwt.decode(token, KEYS[kid], algorithms=["HS256"], issuer=ISSUER, audience=AUDIENCE, leeway=LEEWAY,
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
