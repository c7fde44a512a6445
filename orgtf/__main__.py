from __future__ import annotations

from orgtf.cli import main

raise SystemExit(main())
