"""What every `python -m workbench` subcommand shares: exit codes, the usage error, --var, log and prices."""
from __future__ import annotations

import sqlite3

from workbench.preflight import Preflight
from workbench.pricing import PriceFileError, PriceTable, load_price_table
from workbench.templating import is_variable_name
from workbench.usage_log import UsageLog, UsageLogTooNew

EXIT_OK, EXIT_API_ERROR, EXIT_BAD_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130  # the shell's convention for a command stopped by Ctrl-C (128 + SIGINT)


class UsageError(Exception):
    """Bad command-line usage or input; printed as one line, exit code 2."""


def refuse_errors(verdict: Preflight, prefix: str = "") -> None:
    """UsageError with the rule book's first error (one line, nothing sent), when it found any."""
    errors = verdict.errors
    if errors:
        more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
        raise UsageError(f"{prefix}{errors[0].line}{more}")


def parse_var(text: str) -> tuple[str, str]:
    """One --var NAME=VALUE."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not is_variable_name(name):
        raise UsageError(f"--var expects NAME=VALUE with a variable name like topic or user.name, got {text!r}")
    return name, value


def parse_vars(items: list[str], used: list[str]) -> dict[str, str]:
    """All --var values; one the prompt never uses is almost always a typo of one it does, so say so."""
    given = dict(parse_var(item) for item in items)
    unused = [name for name in given if name not in used]
    if unused:
        known = ", ".join(used) if used else "none"
        raise UsageError(f"--var {unused[0]}: the prompt has no {{{{{unused[0]}}}}} (its variables: {known})")
    return given


def open_call_log() -> UsageLog:
    """The call log, or UsageError: a call that cannot be logged is not started."""
    try:
        return UsageLog()
    except UsageLogTooNew as error:
        raise UsageError(str(error)) from None
    except (OSError, sqlite3.Error) as error:
        raise UsageError(f"cannot use the call log under WORKBENCH_HOME ({error}); point WORKBENCH_HOME "
                         "at a writable folder, or move a damaged calls.db aside") from None


def load_prices() -> PriceTable:
    """The price table, or UsageError: a broken price file is bad input, found before any call is made."""
    try:
        return load_price_table()
    except PriceFileError as error:
        raise UsageError(f"{error} (fix the file, or unset WORKBENCH_PRICES to use the shipped prices)") from None
