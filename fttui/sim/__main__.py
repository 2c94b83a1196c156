"""`python -m fttui.sim` serves the simulator."""

from fttui.sim.cli import main

raise SystemExit(main())
