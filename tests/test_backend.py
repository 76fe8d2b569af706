"""resolve_backend picks the endpoint from env / .env / secrets; the key never shows; make_client talks to it."""
from __future__ import annotations

import pytest

from workbench.backend import (
    SIMULATOR_KEY,
    Backend,
    BackendConfigError,
    _simulator_speed,
    make_client,
    resolve_backend,
)

PLACEHOLDER_KEY = "placeholder-key-for-tests"


@pytest.fixture
def no_dotenv(tmp_path):
    """A .env path that does not exist, so the repo's own .env (if any) never leaks in."""
    return tmp_path / "absent.env"


def test_key_in_env_means_anthropic_api(no_dotenv):
    backend = resolve_backend({"ANTHROPIC_API_KEY": PLACEHOLDER_KEY}, dotenv_path=no_dotenv)
    assert backend.kind == "api"
    assert backend.base_url == "https://api.anthropic.com"
    assert backend.label == "Anthropic API"
    assert backend.api_key == PLACEHOLDER_KEY


def test_base_url_means_custom_endpoint(no_dotenv):
    env = {"ANTHROPIC_API_KEY": PLACEHOLDER_KEY, "ANTHROPIC_BASE_URL": "http://127.0.0.1:9/"}
    backend = resolve_backend(env, dotenv_path=no_dotenv)
    assert backend.kind == "custom"
    assert backend.base_url == "http://127.0.0.1:9"
    assert backend.label == "Custom endpoint: http://127.0.0.1:9"


def test_dotenv_file_is_read_without_touching_os_environ(tmp_path, monkeypatch):
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"ANTHROPIC_API_KEY={PLACEHOLDER_KEY}\n", encoding="utf-8")
    backend = resolve_backend({}, dotenv_path=dotenv)
    assert backend.kind == "api" and backend.api_key == PLACEHOLDER_KEY
    import os

    assert "ANTHROPIC_API_KEY" not in os.environ


def test_dotenv_in_working_directory_is_the_default(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text(f"ANTHROPIC_API_KEY={PLACEHOLDER_KEY}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert resolve_backend({}).kind == "api"


def test_env_wins_over_dotenv_and_dotenv_over_secrets(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("ANTHROPIC_API_KEY=from-dotenv\n", encoding="utf-8")
    secrets = {"ANTHROPIC_API_KEY": "from-secrets"}
    assert resolve_backend({"ANTHROPIC_API_KEY": "from-env"}, secrets, dotenv_path=dotenv).api_key == "from-env"
    assert resolve_backend({}, secrets, dotenv_path=dotenv).api_key == "from-dotenv"
    assert resolve_backend({}, secrets, dotenv_path=tmp_path / "none").api_key == "from-secrets"


def test_secrets_that_raise_count_as_no_secret(no_dotenv):
    class NoSecretsFile(dict):
        def get(self, name, default=None):
            raise FileNotFoundError("no secrets.toml")

    backend = resolve_backend({"WORKBENCH_BACKEND": "simulator"}, NoSecretsFile(), dotenv_path=no_dotenv)
    assert backend.kind == "simulator"


def test_no_key_starts_the_simulator_once_per_process(no_dotenv):
    first = resolve_backend({}, dotenv_path=no_dotenv)
    second = resolve_backend({"WORKBENCH_BACKEND": "simulator"}, dotenv_path=no_dotenv)
    assert first.kind == "simulator"
    assert first.api_key == SIMULATOR_KEY
    assert first.label == "Simulator — no API key set"
    assert first.base_url.startswith("http://127.0.0.1:")
    assert second.base_url == first.base_url


def test_forced_simulator_with_a_key_says_why(no_dotenv):
    env = {"WORKBENCH_BACKEND": "simulator", "ANTHROPIC_API_KEY": PLACEHOLDER_KEY}
    backend = resolve_backend(env, dotenv_path=no_dotenv)
    assert backend.kind == "simulator" and backend.api_key == SIMULATOR_KEY
    assert backend.label == "Simulator — WORKBENCH_BACKEND=simulator"


def test_api_mode_without_key_says_what_to_set(no_dotenv):
    with pytest.raises(BackendConfigError, match="ANTHROPIC_API_KEY"):
        resolve_backend({"WORKBENCH_BACKEND": "api"}, dotenv_path=no_dotenv)


def test_invalid_mode_names_the_allowed_values(no_dotenv):
    with pytest.raises(BackendConfigError) as raised:
        resolve_backend({"WORKBENCH_BACKEND": "cloud"}, dotenv_path=no_dotenv)
    assert "api, simulator, auto" in str(raised.value)


def test_base_url_without_key_is_an_error_not_a_silent_simulator(no_dotenv):
    with pytest.raises(BackendConfigError, match="ANTHROPIC_BASE_URL"):
        resolve_backend({"ANTHROPIC_BASE_URL": "http://127.0.0.1:9"}, dotenv_path=no_dotenv)


def test_key_never_in_repr_str_or_errors(no_dotenv):
    backend = resolve_backend({"ANTHROPIC_API_KEY": PLACEHOLDER_KEY}, dotenv_path=no_dotenv)
    assert PLACEHOLDER_KEY not in repr(backend)
    assert PLACEHOLDER_KEY not in str(backend)
    assert PLACEHOLDER_KEY not in backend.label
    assert PLACEHOLDER_KEY not in backend.key_fingerprint
    for env in ({"ANTHROPIC_API_KEY": PLACEHOLDER_KEY, "WORKBENCH_BACKEND": "bogus"},
                {"ANTHROPIC_API_KEY": PLACEHOLDER_KEY, "WORKBENCH_SIMULATOR_SPEED": "fast",
                 "WORKBENCH_BACKEND": "simulator"}):
        try:
            resolve_backend(env, dotenv_path=no_dotenv)
        except BackendConfigError as error:
            assert PLACEHOLDER_KEY not in str(error)


def test_fingerprint_changes_with_the_key():
    one = Backend("api", "https://api.anthropic.com", "key-one")
    two = Backend("api", "https://api.anthropic.com", "key-two")
    assert one.key_fingerprint.startswith("sha256:") and len(one.key_fingerprint) == len("sha256:") + 8
    assert one.key_fingerprint != two.key_fingerprint


def test_make_client_reaches_the_backend(simulator):
    client = make_client(Backend("custom", simulator.base_url, "test-key"), max_retries=0, timeout=10)
    assert client.max_retries == 0
    assert str(client.base_url).rstrip("/") == simulator.base_url
    assert client.models.list(limit=1).data


@pytest.mark.parametrize("raw", ["fast", "0", "-2", "nan"])
def test_simulator_speed_must_be_a_positive_number(raw):
    with pytest.raises(BackendConfigError, match="WORKBENCH_SIMULATOR_SPEED must be a positive number"):
        _simulator_speed({"WORKBENCH_SIMULATOR_SPEED": raw})
    assert _simulator_speed({"WORKBENCH_SIMULATOR_SPEED": "2.5"}) == 2.5
