"""FlowConfig and its loading: precedence, provenance, profiles on disk, secrets kept out."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import msgspec
import pytest
from flow_sdk import DEFAULT_PLATFORM_URL, CLIClientError, FlowConfig, load_config, resolve_config
from flow_sdk._config import default_config_dir
from flow_sdk._profiles import ProfileStore
from hypothesis import assume, given, settings
from hypothesis import strategies as st

SECRET_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ6In0.c2VjcmV0c2ln"
SECRET_KEY = "fl_live_zyxwvutsrq987654"


# FlowConfig itself


def test_defaults() -> None:
    config = FlowConfig()
    assert config.platform_url == DEFAULT_PLATFORM_URL == "local://default"
    assert config.access_token is None
    assert config.org_id is None
    assert config.workspace_id is None
    assert config.timeout == 30.0
    assert config.max_retries == 2


def test_reference_keyword_arguments() -> None:
    config = FlowConfig(
        platform_url="https://flow.example/", access_token="t", org_id="o", workspace_id="w"
    )
    assert config.platform_url == "https://flow.example"
    assert (config.access_token, config.org_id, config.workspace_id) == ("t", "o", "w")
    with pytest.raises(TypeError):
        FlowConfig("https://flow.example")  # type: ignore[misc]


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), "30", True])
def test_bad_timeout(timeout: object) -> None:
    with pytest.raises(CLIClientError) as info:
        FlowConfig(timeout=timeout)  # type: ignore[arg-type]
    assert "timeout" in info.value.message
    assert info.value.hint


@pytest.mark.parametrize("retries", [-1, 1.5, "2", False])
def test_bad_max_retries(retries: object) -> None:
    with pytest.raises(CLIClientError) as info:
        FlowConfig(max_retries=retries)  # type: ignore[arg-type]
    assert "max_retries=0" in (info.value.hint or "")


def test_bad_platform_url() -> None:
    with pytest.raises(CLIClientError, match="platform_url must be a string"):
        FlowConfig(platform_url=None)  # type: ignore[arg-type]


def test_repr_and_str_never_show_secrets() -> None:
    config = FlowConfig(access_token=SECRET_TOKEN, api_key=SECRET_KEY, org_id="org_1")
    for text in (repr(config), str(config), f"{config}", f"{config!r}"):
        assert SECRET_TOKEN not in text
        assert SECRET_KEY not in text
        assert "access_token='<redacted>'" in text
        assert "org_id='org_1'" in text
    rich = dict(config.__rich_repr__())
    assert rich["access_token"] == "<redacted>"
    assert rich["api_key"] == "<redacted>"
    assert "access_token=None" in repr(FlowConfig())


def test_config_is_a_msgspec_struct() -> None:
    config = FlowConfig(org_id="o")
    assert isinstance(config, msgspec.Struct)
    assert msgspec.structs.replace(config, workspace_id="w").workspace_id == "w"


# precedence: explicit > environment > profile > default


def write_profile(config_dir: Path, name: str = "dev", current: bool = True) -> ProfileStore:
    store = ProfileStore(config_dir)
    store.save_profile(
        name,
        platform_url="https://profile.example",
        org_id="org_profile",
        workspace_id="ws_profile",
        timeout=12.0,
        access_token="profile-token",
    )
    if current:
        store.use_profile(name)
    return store


def test_profile_values_are_used(tmp_path: Path) -> None:
    write_profile(tmp_path)
    resolved = resolve_config(config_dir=tmp_path, environ={})
    config = resolved.config
    assert config.platform_url == "https://profile.example"
    assert config.org_id == "org_profile"
    assert config.timeout == 12.0
    assert config.access_token == "profile-token"
    assert config.profile == "dev"
    assert resolved.sources["org_id"] == "profile 'dev'"
    assert "max_retries" not in resolved.sources
    assert resolved.overridden == {}


def test_environment_beats_profile(tmp_path: Path) -> None:
    write_profile(tmp_path)
    env = {
        "FLOW_ORG_ID": "org_env",
        "FLOW_TIMEOUT": "5",
        "FLOW_MAX_RETRIES": "0",
        "FLOW_WORKSPACE_ID": "",  # empty means unset
    }
    resolved = resolve_config(config_dir=tmp_path, environ=env)
    assert resolved.config.org_id == "org_env"
    assert resolved.config.timeout == 5.0
    assert resolved.config.max_retries == 0
    assert resolved.config.workspace_id == "ws_profile"
    assert resolved.sources["org_id"] == "environment variable FLOW_ORG_ID"
    assert resolved.overridden == {"org_id": "FLOW_ORG_ID", "timeout": "FLOW_TIMEOUT"}


def test_explicit_beats_environment(tmp_path: Path) -> None:
    write_profile(tmp_path)
    env = {"FLOW_ORG_ID": "org_env", "FLOW_PLATFORM_URL": "https://env.example"}
    resolved = resolve_config(config_dir=tmp_path, environ=env, org_id="org_arg", workspace_id=None)
    assert resolved.config.org_id == "org_arg"
    assert resolved.config.platform_url == "https://env.example"
    assert resolved.config.workspace_id == "ws_profile"  # None means "not given"
    assert resolved.sources["org_id"] == "argument"
    assert "org_id" not in resolved.overridden


def test_named_profile_and_flow_profile(tmp_path: Path) -> None:
    store = write_profile(tmp_path, "dev")
    store.save_profile("prod", org_id="org_prod")
    assert load_config(config_dir=tmp_path, environ={}, profile="prod").org_id == "org_prod"
    env = {"FLOW_PROFILE": "prod"}
    assert load_config(config_dir=tmp_path, environ=env).org_id == "org_prod"
    assert load_config(config_dir=tmp_path, environ={}).org_id == "org_profile"


def test_no_profile_gives_defaults(tmp_path: Path) -> None:
    config = load_config(config_dir=tmp_path / "missing", environ={})
    assert config == FlowConfig()
    assert not (tmp_path / "missing").exists()  # reading never creates anything


def test_environment_secrets(tmp_path: Path) -> None:
    env = {"FLOW_API_KEY": SECRET_KEY, "FLOW_ACCESS_TOKEN": SECRET_TOKEN}
    config = load_config(config_dir=tmp_path, environ=env)
    assert config.api_key == SECRET_KEY
    assert config.access_token == SECRET_TOKEN


def test_config_dir_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_profile(tmp_path)
    monkeypatch.setenv("FLOW_CONFIG_DIR", str(tmp_path))
    assert load_config().org_id == "org_profile"


@pytest.mark.parametrize(
    ("var", "value", "words"),
    [
        ("FLOW_TIMEOUT", "soon", "FLOW_TIMEOUT must be a number"),
        ("FLOW_MAX_RETRIES", "2.5", "FLOW_MAX_RETRIES must be a whole number"),
    ],
)
def test_bad_environment_value(tmp_path: Path, var: str, value: str, words: str) -> None:
    with pytest.raises(CLIClientError) as info:
        load_config(config_dir=tmp_path, environ={var: value})
    assert words in info.value.message
    assert f"fix or unset {var}" == info.value.hint


def test_unknown_explicit_field(tmp_path: Path) -> None:
    with pytest.raises(CLIClientError) as info:
        load_config(config_dir=tmp_path, environ={}, org="x")
    assert "unknown config field(s): org" in info.value.message
    assert "org_id" in (info.value.hint or "")


def test_default_config_dir() -> None:
    assert default_config_dir({"FLOW_CONFIG_DIR": "/a/b"}) == Path("/a/b")
    assert default_config_dir({"XDG_CONFIG_HOME": "/x"}) == Path("/x/flow")
    assert default_config_dir({}) == Path.home() / ".config" / "flow"


# profiles on disk


def test_settings_and_secrets_are_kept_apart(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "cfg")
    store.save_profile("dev", org_id="org_1", api_key=SECRET_KEY, access_token=SECRET_TOKEN)
    settings = store.config_path.read_text()
    secrets = store.credentials_path.read_text()
    assert SECRET_KEY not in settings
    assert SECRET_TOKEN not in settings
    assert "org_1" in settings
    assert json.loads(secrets)["profiles"]["dev"] == {
        "api_key": SECRET_KEY,
        "access_token": SECRET_TOKEN,
        "platform_url": "local://default",  # the platform they belong to
    }
    assert stat.S_IMODE(store.credentials_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.config_path.stat().st_mode) == 0o644
    assert store.profile_values("dev") == {
        "org_id": "org_1",
        "api_key": SECRET_KEY,
        "access_token": SECRET_TOKEN,
    }


def test_credentials_stay_0600_when_rewritten(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    store.save_profile("dev", api_key=SECRET_KEY)
    os.chmod(store.credentials_path, 0o644)  # someone loosened it
    store.save_profile("dev", access_token=SECRET_TOKEN)
    assert stat.S_IMODE(store.credentials_path.stat().st_mode) == 0o600


def test_writes_are_atomic_and_leave_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ProfileStore(tmp_path)
    store.save_profile("dev", api_key=SECRET_KEY)
    before = store.credentials_path.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        store.save_profile("dev", api_key="fl_other_key_123456")
    assert store.credentials_path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json", "credentials.json"]


def test_save_none_removes_a_field(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    store.save_profile("dev", org_id="o", workspace_id="w")
    store.save_profile("dev", workspace_id=None)
    assert store.profile_values("dev") == {"org_id": "o"}


def test_profile_without_fields_still_exists(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    store.save_profile("empty")
    assert store.profile_names() == ["empty"]
    store.use_profile("empty")
    assert store.current_profile() == "empty"
    store.use_profile(None)
    assert store.current_profile() is None


@pytest.mark.parametrize("name", ["", "a/b"])
def test_invalid_profile_name(tmp_path: Path, name: str) -> None:
    with pytest.raises(CLIClientError, match="invalid profile name"):
        ProfileStore(tmp_path).save_profile(name, org_id="o")


def test_unknown_profile_field(tmp_path: Path) -> None:
    with pytest.raises(CLIClientError, match="unknown profile field"):
        ProfileStore(tmp_path).save_profile("dev", color="blue")


def test_use_unknown_profile(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    store.save_profile("dev")
    with pytest.raises(CLIClientError) as info:
        store.use_profile("prod")
    assert info.value.message == "no profile named 'prod'"
    assert info.value.hint == "known profiles: dev"


def test_forget_secrets(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    store.save_profile("dev", org_id="o", api_key=SECRET_KEY)
    assert store.forget_secrets("dev") is True
    assert store.forget_secrets("dev") is False
    assert SECRET_KEY not in store.credentials_path.read_text()
    assert store.profile_values("dev") == {"org_id": "o"}


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"[]", b'{"profiles": {"dev": {"colour": 1}}}', b'{"profiles": 5}'],
)
@pytest.mark.parametrize("which", ["config.json", "credentials.json"])
def test_bad_file_is_reported_and_never_overwritten(
    tmp_path: Path, content: bytes, which: str
) -> None:
    path = tmp_path / which
    path.write_bytes(content)
    store = ProfileStore(tmp_path)
    with pytest.raises(CLIClientError) as info:
        load_config(config_dir=tmp_path, environ={}, profile="dev")
    assert str(path) in info.value.message
    assert "fix the file by hand" in (info.value.hint or "")
    with pytest.raises(CLIClientError):
        store.save_profile("dev", org_id="o", api_key=SECRET_KEY)
    assert path.read_bytes() == content


def test_bad_file_error_does_not_echo_its_content(tmp_path: Path) -> None:
    (tmp_path / "credentials.json").write_text(
        '{"profiles": {"dev": {"api_key": "' + SECRET_KEY + '", "oops": 1}}}'
    )
    with pytest.raises(CLIClientError) as info:
        load_config(config_dir=tmp_path, environ={}, profile="dev")
    assert SECRET_KEY not in str(info.value)


def test_newer_format_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"version": 99}')
    with pytest.raises(CLIClientError) as info:
        ProfileStore(tmp_path).current_profile()
    assert "newer flow-sdk-core" in info.value.message
    assert "pip install -U flow-sdk-core" in (info.value.hint or "")


def test_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "config.json").mkdir()  # a directory where the file should be
    with pytest.raises(CLIClientError) as info:
        ProfileStore(tmp_path).current_profile()
    assert "cannot read" in info.value.message


def test_store_construction_does_no_io(tmp_path: Path) -> None:
    ProfileStore(tmp_path / "nowhere")
    FlowConfig()
    assert not (tmp_path / "nowhere").exists()


# credentials belong to the platform they were issued for


def _logged_in(tmp_path: Path, url: str = "https://flow.example") -> ProfileStore:
    store = ProfileStore(tmp_path)
    store.save_profile("work", platform_url=url, api_key=SECRET_KEY)
    store.use_profile("work")
    return store


def test_stored_credentials_are_used_for_their_own_platform(tmp_path: Path) -> None:
    _logged_in(tmp_path)
    resolved = resolve_config(config_dir=tmp_path, environ={})
    assert resolved.config.api_key == SECRET_KEY
    assert resolved.withheld is None
    same = resolve_config(config_dir=tmp_path, environ={}, platform_url="HTTPS://Flow.Example/")
    assert same.config.api_key == SECRET_KEY  # the same platform, spelt differently


@pytest.mark.parametrize(
    "other",
    ["http://127.0.0.1:8123", "https://flow.example.evil.test", "https://flow.example:8443"],
)
def test_stored_credentials_are_never_sent_to_another_platform(tmp_path: Path, other: str) -> None:
    _logged_in(tmp_path)
    for resolved in (
        resolve_config(config_dir=tmp_path, environ={}, platform_url=other),
        resolve_config(config_dir=tmp_path, environ={"FLOW_PLATFORM_URL": other}),
    ):
        assert resolved.config.api_key is None
        assert resolved.config.access_token is None
        assert resolved.withheld is not None
        assert "https://flow.example" in resolved.withheld
        assert SECRET_KEY not in resolved.withheld


def test_secrets_saved_before_binding_belong_to_the_profiles_url(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    store.directory.mkdir(parents=True, exist_ok=True)
    store.config_path.write_text(
        json.dumps({"profiles": {"old": {"platform_url": "https://a.example"}}})
    )
    store.credentials_path.write_text(json.dumps({"profiles": {"old": {"api_key": SECRET_KEY}}}))
    assert store.credentials_url("old") == "https://a.example"
    assert resolve_config(config_dir=tmp_path, profile="old", environ={}).config.api_key
    moved = resolve_config(
        config_dir=tmp_path, profile="old", environ={"FLOW_PLATFORM_URL": "https://b.example"}
    )
    assert moved.config.api_key is None


def test_an_explicit_token_beats_a_stored_key(tmp_path: Path) -> None:
    _logged_in(tmp_path)
    resolved = resolve_config(config_dir=tmp_path, environ={"FLOW_ACCESS_TOKEN": SECRET_TOKEN})
    assert resolved.config.access_token == SECRET_TOKEN
    assert resolved.config.api_key is None  # not mixed with the profile's key
    assert resolved.sources["access_token"] == "environment variable FLOW_ACCESS_TOKEN"
    argument = resolve_config(config_dir=tmp_path, environ={}, access_token=SECRET_TOKEN)
    assert (argument.config.access_token, argument.config.api_key) == (SECRET_TOKEN, None)


@pytest.mark.parametrize(
    "url",
    [
        "https://user:pass@flow.example",
        "https://fl_secret@flow.example",
        "http://h/?api_key=fl_live_0123456789",
        "https://flow.example/?access_token=abc",
        "https://flow.example/x?Signature=abc&x=1",
    ],
)
def test_a_platform_url_carrying_credentials_is_refused(url: str) -> None:
    with pytest.raises(CLIClientError, match="must not carry credentials") as info:
        FlowConfig(platform_url=url)
    assert "fl_live_0123456789" not in str(info.value)
    assert "pass" not in info.value.message.split("(")[-1]
    assert "FLOW_API_KEY" in (info.value.hint or "")


@given(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=30))
@settings(max_examples=200, deadline=None)
def test_an_ordinary_url_is_accepted_as_it_is(path: str) -> None:
    assume("@" not in path and "?" not in path and "#" not in path)
    url = "https://flow.example/" + path
    assert FlowConfig(platform_url=url).platform_url == url.rstrip("/")
