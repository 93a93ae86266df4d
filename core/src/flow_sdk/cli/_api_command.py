"""stub"""

from __future__ import annotations

import argparse


def register_api(parser: argparse.ArgumentParser) -> None:
    pass
