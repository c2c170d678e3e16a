"""OAuth credentials for the YouTube Data API: stored token, refresh, first sign-in."""

from __future__ import annotations

import json
import os
from pathlib import Path

import platformdirs

from ..errors import SlideshowError

SCOPES = [
    "https://www.googleapis.com/auth/youtube.upload",
    "https://www.googleapis.com/auth/youtube.force-ssl",
]

SIGN_IN_AGAIN = (
    "run `slideshow publish --client-secrets client_secret.json ...` to sign in again "
    "(download the file from your Google Cloud project's OAuth client of type Desktop)"
)


def token_path(given: str | None) -> Path:
    if given:
        return Path(given)
    env = os.environ.get("SLIDESHOW_YOUTUBE_TOKEN")
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir("slideshow")) / "youtube-token.json"


def credentials(token: Path, client_secrets: str | None, token_uri: str | None):
    """Stored credentials (refreshed when expired), or a first sign-in in the browser."""
    from google.oauth2.credentials import Credentials

    if token.is_file():
        try:
            info = json.loads(token.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SlideshowError(
                f"the YouTube token {token} cannot be read ({exc}); " + SIGN_IN_AGAIN
            ) from None
        try:
            creds = Credentials.from_authorized_user_info(info, SCOPES)
            # The token endpoint is Google's unless SLIDESHOW_YOUTUBE_ENDPOINT points elsewhere.
            return creds.with_token_uri(token_uri) if token_uri else creds
        except ValueError as exc:
            raise SlideshowError(
                f"the YouTube token {token} is incomplete ({exc}); " + SIGN_IN_AGAIN
            ) from None
    if not client_secrets:
        raise SlideshowError(f"not signed in to YouTube (no token at {token}); " + SIGN_IN_AGAIN)
    from google_auth_oauthlib.flow import InstalledAppFlow

    try:
        flow = InstalledAppFlow.from_client_secrets_file(client_secrets, SCOPES)
    except (OSError, ValueError) as exc:
        raise SlideshowError(f"--client-secrets {client_secrets}: cannot be used ({exc})") from None
    creds = flow.run_local_server(port=0, open_browser=True)
    save(creds, token)
    return creds


def save(creds, token: Path) -> None:
    token.parent.mkdir(parents=True, exist_ok=True)
    token.write_text(creds.to_json(), encoding="utf-8")
    os.chmod(token, 0o600)
