"""The languages Workbench exports to, and the generated code with the file name to save it under."""
from __future__ import annotations

import re
from dataclasses import dataclass

LANGUAGES = ("python", "typescript", "curl")
_LABELS = {"python": "Python", "typescript": "TypeScript", "curl": "curl"}
_EXTENSIONS = {"python": "py", "typescript": "ts", "curl": "sh"}
# What st.code / Pygments call each language, for highlighting.
HIGHLIGHT = {"python": "python", "typescript": "typescript", "curl": "bash"}
MIME_TYPES = {"python": "text/x-python", "typescript": "text/typescript", "curl": "text/x-shellscript"}


@dataclass(frozen=True)
class Snippet:
    """Generated code in one language."""

    language: str
    code: str
    file_name: str

    @property
    def label(self) -> str:
        return language_label(self.language)

    @property
    def highlight(self) -> str:
        return HIGHLIGHT[self.language]

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.language]


def language_label(language: str) -> str:
    return _LABELS[language]


def snippet_file_name(prompt_name: str, language: str) -> str:
    """e.g. "greet_user.py": the prompt name made safe for a file name (and a Python module name)."""
    stem = re.sub(r"[^A-Za-z0-9]+", "_", prompt_name).strip("_").lower() or "prompt"
    if stem[0].isdigit():
        stem = "prompt_" + stem
    return f"{stem}.{_EXTENSIONS[language]}"
