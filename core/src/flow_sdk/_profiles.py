"""Profiles on disk: settings in ``config.json``, secrets in ``credentials.json``.

Secrets are kept apart so the settings file can be shared or printed; the
credentials file is created 0600 and replaced atomically, so a crash never
leaves half a file and no other user can read it. A file we cannot parse is
reported with its path and never overwritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec

from ._config import DEFAULT_PLATFORM_URL, SECRET_FIELDS, default_config_dir, same_platform_key
from ._errors import CLIClientError

__all__ = ["ProfileStore"]

FORMAT_VERSION = 1
SETTING_FIELDS = ("platform_url", "org_id", "workspace_id", "timeout", "max_retries")


class _Settings(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    platform_url: str | None = None
    org_id: str | None = None
    workspace_id: str | None = None
    timeout: float | None = None
    max_retries: int | None = None


class _Secrets(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    api_key: str | None = None
    access_token: str | None = None
    #: The platform these secrets were issued for: they are sent nowhere else.
    platform_url: str | None = None


class _CachedToken(msgspec.Struct):
    access_token: str
    #: The platform the token was issued by (``same_platform_key``): used nowhere else.
    platform_url: str
    expires_at: float


class _TokensFile(msgspec.Struct, omit_defaults=True):
    version: int = FORMAT_VERSION
    #: sha256 of (platform, API key) -> the access token last exchanged for that key there.
    tokens: dict[str, _CachedToken] = {}


class _ConfigFile(msgspec.Struct, omit_defaults=True):
    version: int = FORMAT_VERSION
    current_profile: str | None = None
    profiles: dict[str, _Settings] = {}


class _CredentialsFile(msgspec.Struct, omit_defaults=True):
    version: int = FORMAT_VERSION
    profiles: dict[str, _Secrets] = {}


def _set_fields(part: msgspec.Struct) -> dict[str, Any]:
    return {k: v for k, v in msgspec.structs.asdict(part).items() if v is not None}


class ProfileStore:
    """Reads and writes named profiles in one config directory."""

    def __init__(
        self,
        config_dir: str | os.PathLike[str] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.directory = Path(config_dir) if config_dir else default_config_dir(environ)
        self.config_path = self.directory / "config.json"
        self.credentials_path = self.directory / "credentials.json"
        self.tokens_path = self.directory / "tokens.json"

    # reading

    def _read(self, path: Path, kind: type[Any]) -> Any:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return kind()
        except OSError as exc:
            raise CLIClientError(
                f"cannot read {path}: {exc.strerror}", hint="check the file's permissions"
            ) from None
        try:
            parsed = msgspec.json.decode(data, type=kind)
        except msgspec.DecodeError as exc:
            # The message names a field or position, never the file's content.
            raise CLIClientError(
                f"{path} is not a valid flow {path.stem} file: {exc}",
                hint=f"fix the file by hand, or move it away and run `flow login` again ({path})",
            ) from None
        if parsed.version > FORMAT_VERSION:
            raise CLIClientError(
                f"{path} was written by a newer flow-sdk-core (format {parsed.version})",
                hint="upgrade flow-sdk-core: pip install -U flow-sdk-core",
            )
        return parsed

    def _config(self) -> _ConfigFile:
        return self._read(self.config_path, _ConfigFile)  # type: ignore[no-any-return]

    def _credentials(self) -> _CredentialsFile:
        return self._read(self.credentials_path, _CredentialsFile)  # type: ignore[no-any-return]

    def current_profile(self) -> str | None:
        """The profile selected with ``flow profiles use``, if any."""
        return self._config().current_profile

    def profile_names(self) -> list[str]:
        """Every profile that has settings or secrets."""
        names = set(self._config().profiles) | set(self._credentials().profiles)
        return sorted(names)

    def profile_values(self, name: str) -> dict[str, Any]:
        """The fields a profile sets (settings and secrets), without the unset ones."""
        settings = self._config().profiles.get(name)
        secrets = self._credentials().profiles.get(name)
        values: dict[str, Any] = {}
        if settings is not None:
            values.update(_set_fields(settings))
        if secrets is not None:
            values.update({k: v for k, v in _set_fields(secrets).items() if k in SECRET_FIELDS})
        return values

    def credentials_url(self, name: str) -> str | None:
        """The platform URL a profile's secrets belong to (None when it has none).

        Secrets saved before this was recorded belong to the profile's own URL.
        """
        secrets = self._credentials().profiles.get(name)
        if secrets is None or not (secrets.api_key or secrets.access_token):
            return None
        if secrets.platform_url:
            return secrets.platform_url
        settings = self._config().profiles.get(name)
        return (settings.platform_url if settings else None) or DEFAULT_PLATFORM_URL

    # the access tokens exchanged for API keys (a cache: losing it costs one exchange)

    @staticmethod
    def _token_slot(api_key: str, platform_url: str) -> str:
        text = f"{same_platform_key(platform_url)}\n{api_key}"
        return hashlib.sha256(text.encode()).hexdigest()

    def _tokens(self) -> _TokensFile:
        try:
            return self._read(self.tokens_path, _TokensFile)  # type: ignore[no-any-return]
        except CLIClientError:
            return _TokensFile()  # an unreadable cache is an empty one

    def cached_token(
        self, api_key: str, platform_url: str, *, margin: float = 60.0
    ) -> tuple[str, float] | None:
        """The token (and its expiry, epoch seconds) last exchanged for ``api_key`` on
        ``platform_url``, if it stays valid for ``margin`` seconds more; else None."""
        entry = self._tokens().tokens.get(self._token_slot(api_key, platform_url))
        if entry is None or entry.platform_url != same_platform_key(platform_url):
            return None
        if entry.expires_at - margin <= time.time():
            return None
        return entry.access_token, entry.expires_at

    def cache_token(
        self, api_key: str, platform_url: str, access_token: str, expires_at: float
    ) -> None:
        """Keep the token exchanged for ``api_key`` on ``platform_url`` until ``expires_at``
        (0600 file, replaced atomically; expired entries are dropped)."""
        cache = self._tokens()
        now = time.time()
        cache.tokens = {k: v for k, v in cache.tokens.items() if v.expires_at > now}
        cache.tokens[self._token_slot(api_key, platform_url)] = _CachedToken(
            access_token, same_platform_key(platform_url), float(expires_at)
        )
        self._write(self.tokens_path, cache, mode=0o600)

    def forget_tokens(self, api_key: str | None = None) -> None:
        """Drop the cached tokens of ``api_key`` (on every platform), or all of them."""
        if not self.tokens_path.exists():
            return
        cache = self._tokens()
        if api_key is None:
            cache.tokens = {}
        else:
            drop = {self._token_slot(api_key, v.platform_url) for v in cache.tokens.values()}
            cache.tokens = {k: v for k, v in cache.tokens.items() if k not in drop}
        self._write(self.tokens_path, cache, mode=0o600)

    # writing

    def save_profile(self, name: str, **values: Any) -> None:
        """Set fields of a profile; ``None`` removes a field. Secrets go to the 0600 file."""
        if not name or "/" in name:
            raise CLIClientError(f"invalid profile name {name!r}", hint="use letters, digits, -_")
        unknown = set(values) - set(SETTING_FIELDS) - SECRET_FIELDS
        if unknown:
            raise CLIClientError(f"unknown profile field(s): {', '.join(sorted(unknown))}")
        settings_values = {k: v for k, v in values.items() if k in SETTING_FIELDS}
        secret_values = {k: v for k, v in values.items() if k in SECRET_FIELDS}
        if settings_values:
            config = self._config()
            current = config.profiles.get(name, _Settings())
            config.profiles[name] = msgspec.structs.replace(current, **settings_values)
            self._write(self.config_path, config, mode=0o644)
        elif name not in self._config().profiles:
            config = self._config()
            config.profiles[name] = _Settings()
            self._write(self.config_path, config, mode=0o644)
        if secret_values:
            credentials = self._credentials()
            current_secrets = credentials.profiles.get(name, _Secrets())
            # New secrets belong to the platform the profile points at now.
            settings = self._config().profiles.get(name)
            bound = (settings.platform_url if settings else None) or DEFAULT_PLATFORM_URL
            credentials.profiles[name] = msgspec.structs.replace(
                current_secrets, **secret_values, platform_url=same_platform_key(bound)
            )
            self._write(self.credentials_path, credentials, mode=0o600)

    def use_profile(self, name: str | None) -> None:
        """Select the profile that later commands use by default."""
        config = self._config()
        if name is not None and name not in self.profile_names():
            raise CLIClientError(
                f"no profile named {name!r}",
                hint=f"known profiles: {', '.join(self.profile_names()) or 'none'}",
            )
        config.current_profile = name
        self._write(self.config_path, config, mode=0o644)

    def forget_secrets(self, name: str) -> bool:
        """Remove a profile's secrets (``flow logout``); True when there were any."""
        credentials = self._credentials()
        if credentials.profiles.pop(name, None) is None:
            return False
        self._write(self.credentials_path, credentials, mode=0o600)
        return True

    def _write(self, path: Path, document: Any, *, mode: int) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = msgspec.json.format(msgspec.json.encode(document), indent=2) + b"\n"
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=self.directory)
        try:
            os.fchmod(fd, mode)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
