"""Turn a prompt into Python (anthropic SDK), TypeScript (@anthropic-ai/sdk) or curl that sends the same body.

The body Workbench sends is `sent_body(...)`: the prompt's request with its {{variables}} filled in,
plus `"stream": true` when streaming. Every snippet sends a body equal to it as JSON; the tests in
tests/test_codegen_roundtrip*.py run the snippets and compare what arrives.
"""
from __future__ import annotations

from collections.abc import Mapping

from workbench.codegen import curl_code, python_code, typescript_code
from workbench.codegen.plan import CodegenError, ExportPlan, build_plan, sent_body
from workbench.codegen.snippet import LANGUAGES, Snippet, language_label, snippet_file_name

__all__ = [
    "LANGUAGES", "CodegenError", "ExportPlan", "Snippet", "build_plan", "export_base_url", "export_snippet",
    "language_label", "sent_body", "snippet_file_name",
]

_RENDERERS = {
    "python": python_code.render,
    "typescript": typescript_code.render,
    "curl": curl_code.render,
}


def export_snippet(
    request: dict,
    values: Mapping[str, object] | None,
    language: str,
    *,
    stream: bool = False,
    keep_variables: bool = False,
    base_url: str | None = None,
    headers: Mapping[str, str] | None = None,
    name: str = "untitled",
    templated: bool = True,
) -> Snippet:
    """The code for one prompt in one language; CodegenError (or MissingVariableError) says why not."""
    if language not in _RENDERERS:
        raise CodegenError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")
    plan = build_plan(request, values, stream=stream, keep_variables=keep_variables, base_url=base_url,
                      headers=headers, name=name, templated=templated)
    return Snippet(language=language, code=_RENDERERS[language](plan), file_name=snippet_file_name(name, language))


def export_base_url(backend_kind: str, base_url: str) -> str | None:
    """The base URL a snippet should carry: only a custom endpoint's (the simulator's is local and short-lived)."""
    return base_url if backend_kind == "custom" else None
