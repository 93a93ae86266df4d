"""``python -m flow_sdk.cli``: the ``flow`` command without the console script."""

from __future__ import annotations

from . import main

raise SystemExit(main())
