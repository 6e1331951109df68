"""`python -m app`: the window with no arguments, the command line otherwise."""

from app.cli import main

raise SystemExit(main())
