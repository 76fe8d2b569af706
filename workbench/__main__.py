"""`python -m workbench`: the command-line interface (see workbench.cli)."""
from workbench.cli import main

raise SystemExit(main())
