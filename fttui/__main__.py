"""`python -m fttui` runs the same command line as the `fttui` script."""

from fttui.cli import main

raise SystemExit(main())
