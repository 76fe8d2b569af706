"""`python -m workbench export`: the snippet on stdout, one-line errors with exit 2, never the key."""
from __future__ import annotations

import io
import json
import subprocess
import sys

from pathlib import Path

import pytest

from workbench.cli import main
from workbench.codegen import export_snippet
from workbench.spec import PromptSpec, load_prompt, save_prompt

CANARY = "sk-ant-" + "canary-cli-export-1234"  # split: no key-shaped literal in the tree
REQUEST = {"model": "claude-haiku-4-5", "max_tokens": 200,
           "messages": [{"role": "user", "content": "Write about {{topic}} for {{reader}}."}]}


@pytest.fixture
def prompt_file(tmp_path):
    path = tmp_path / "essay.prompt.json"
    save_prompt(PromptSpec(request=REQUEST, name="essay", variables={"topic": "tides", "reader": "kids"}), path)
    return path


def export(capsys, *args):
    out, err = io.StringIO(), io.StringIO()
    code = main(["export", *map(str, args)], out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("language", ["python", "typescript", "curl"])
def test_prints_the_snippet_with_the_files_values_and_given_ones(capsys, prompt_file, language, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", CANARY)
    code, out, err = export(capsys, prompt_file, "--lang", language, "--var", "reader=sailors")
    assert (code, err) == (0, "")
    saved = load_prompt(prompt_file).request
    assert out == export_snippet(saved, {"topic": "tides", "reader": "sailors"}, language, name="essay").code
    assert "Write about tides for sailors." in out
    assert CANARY not in out


def test_stream_and_keep_variables_shape_the_code(capsys, prompt_file):
    code, out, _ = export(capsys, prompt_file, "--lang", "python", "--stream", "--keep-variables")
    assert code == 0
    assert "def send_prompt(topic: str, reader: str)" in out
    assert 'f"Write about {topic} for {reader}."' in out
    assert "client.messages.stream(" in out
    assert 'send_prompt(topic="tides", reader="kids")' in out


def test_a_custom_base_url_is_carried_over_and_the_anthropic_api_is_not(capsys, prompt_file, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://proxy.example.com/anthropic/")
    _, out, _ = export(capsys, prompt_file, "--lang", "curl")
    assert "'https://proxy.example.com/anthropic/v1/messages'" in out
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://api.anthropic.com")
    _, out, _ = export(capsys, prompt_file, "--lang", "python")
    assert "base_url" not in out and "client = anthropic.Anthropic()" in out
    _, out, _ = export(capsys, prompt_file, "--lang", "typescript", "--base-url", "http://127.0.0.1:9/x")
    assert 'new Anthropic({ baseURL: "http://127.0.0.1:9/x" })' in out


@pytest.mark.parametrize(("args", "message"), [
    (["--var", "topc=x"], "--var topc: the prompt has no {{topc}} (its variables: topic, reader)"),
    (["--var", "topic= "], "no value for variable {{topic}}"),
    (["--base-url", "ftp://x"], "--base-url must start with http:// or https://"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, prompt_file, args, message):
    code, out, err = export(capsys, prompt_file, "--lang", "python", *args)
    assert (code, out) == (2, "")
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_a_number_javascript_cannot_hold_is_refused_for_typescript_only(capsys, tmp_path):
    path = tmp_path / "big.prompt.json"
    request = dict(REQUEST, metadata={"user_id": "u"}, extra_number=2**60)
    path.write_text(json.dumps({"format": "workbench.prompt/1", "request": request}))
    code, _, err = export(capsys, path, "--lang", "typescript", "--var", "topic=a", "--var", "reader=b")
    assert code == 2 and "cannot export as typescript" in err and str(2**60) in err
    code, out, _ = export(capsys, path, "--lang", "python", "--var", "topic=a", "--var", "reader=b")
    assert code == 0 and f"extra_body={{\"extra_number\": {2**60}}}" in out


def test_a_broken_prompt_file_is_exit_2(capsys, tmp_path):
    path = tmp_path / "broken.prompt.json"
    path.write_text("{not json")
    code, out, err = export(capsys, path, "--lang", "curl")
    assert (code, out) == (2, "") and "not valid JSON" in err


def test_bad_input_is_refused_before_the_sdk_is_imported(tmp_path):
    # Importing anthropic takes seconds; a typo in --var should not wait for it.
    path = tmp_path / "p.prompt.json"
    save_prompt(PromptSpec(request=REQUEST, name="p"), path)
    script = (
        "import io, json, sys\n"
        "from workbench.cli import main\n"
        f"codes = [main(['export', {str(path)!r}, '--lang', lang, '--var', 'nope=1'], io.StringIO(), io.StringIO())"
        " for lang in ('python', 'typescript', 'curl')]\n"
        "print(json.dumps([codes, 'anthropic' in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=str(Path(__file__).resolve().parents[1]))
    assert json.loads(done.stdout) == [[2, 2, 2], False], done.stderr
