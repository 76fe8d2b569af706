"""`python -m workbench`: the command-line interface (see workbench.cli)."""
import sys

try:
    from workbench.cli import main
except KeyboardInterrupt:  # Ctrl-C while the SDK is still importing: no traceback for that either
    print("interrupted", file=sys.stderr)
    raise SystemExit(130) from None

raise SystemExit(main())
